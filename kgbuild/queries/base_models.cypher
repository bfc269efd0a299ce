// What a model or method was fine-tuned from (FINE_TUNED_FROM) or is based on (BASED_ON), the system
// found by its name or any alias (case-insensitive). Relationships scored below $min_score are left out
// (default kgbuild.queries.MIN_RELATION_SCORE, 0.5). The reverse question, what was fine-tuned from a
// base, is fine_tuned_from.
// Parameters: $name (string) -- model or method name or alias. $min_score (float) -- lowest relationship score shown.
// Columns: system_id, relationship, base_id, base, support (papers stating it), score, papers (their ids).
MATCH (m:Model)-[r:FINE_TUNED_FROM]->(base:Model)
WITH m, r, base, toLower($name) AS wanted
WHERE (toLower(m.name) = wanted OR any(alias IN m.aliases WHERE toLower(alias) = wanted)) AND r.score >= $min_score
RETURN m.id AS system_id, 'FINE_TUNED_FROM' AS relationship, base.id AS base_id, base.name AS base,
       r.support AS support, r.score AS score, r.papers AS papers
ORDER BY system_id, relationship, base_id
UNION ALL
MATCH (m:Model|Method)-[r:BASED_ON]->(base:Model|Method)
WITH m, r, base, toLower($name) AS wanted
WHERE (toLower(m.name) = wanted OR any(alias IN m.aliases WHERE toLower(alias) = wanted)) AND r.score >= $min_score
RETURN m.id AS system_id, 'BASED_ON' AS relationship, base.id AS base_id, base.name AS base,
       r.support AS support, r.score AS score, r.papers AS papers
ORDER BY system_id, relationship, base_id
