// The models and methods a system outperforms (OUTPERFORMS), the system found by its name or any alias
// (case-insensitive), with the margins the papers state. Relationships scored below $min_score are left
// out (default kgbuild.queries.MIN_RELATION_SCORE, 0.5).
// Parameters: $name (string) -- model or method name or alias. $min_score (float) -- lowest relationship score shown.
// Columns: system_id, other_id, other, delta (margins as written, e.g. '3.2 points'; null if none stated),
//          support (papers stating it), score, papers (their ids).
MATCH (m:Model|Method)-[r:OUTPERFORMS]->(o:Model|Method)
WITH m, r, o, toLower($name) AS wanted
WHERE (toLower(m.name) = wanted OR any(alias IN m.aliases WHERE toLower(alias) = wanted)) AND r.score >= $min_score
RETURN m.id AS system_id, o.id AS other_id, o.name AS other, r.delta AS delta, r.support AS support,
       r.score AS score, r.papers AS papers
ORDER BY system_id, other_id
