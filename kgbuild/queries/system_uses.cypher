// What a model or method uses (USES: a component, a backbone, a dataset it builds on), the system found by
// its name or any alias (case-insensitive). Relationships scored below $min_score are left out (default
// kgbuild.queries.MIN_RELATION_SCORE, 0.5).
// Parameters: $name (string) -- model or method name or alias. $min_score (float) -- lowest relationship score shown.
// Columns: system_id, used_id (its label is the part before the first colon), used, support (papers stating
//          it), score, papers (their ids).
MATCH (m:Model|Method)-[r:USES]->(o:Model|Method|Dataset)
WITH m, r, o, toLower($name) AS wanted
WHERE (toLower(m.name) = wanted OR any(alias IN m.aliases WHERE toLower(alias) = wanted)) AND r.score >= $min_score
RETURN m.id AS system_id, o.id AS used_id, o.name AS used, r.support AS support, r.score AS score,
       r.papers AS papers
ORDER BY system_id, used_id
