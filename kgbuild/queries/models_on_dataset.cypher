// Models and methods evaluated on a dataset, found by its name or any alias (case-insensitive), with the
// scores they reached there: one row per system and reported Result (ACHIEVES -> Result -> MEASURED_ON),
// and one row with no value for a system with only an EVALUATED_ON relationship. Relationships scored
// below $min_score are left out (default kgbuild.queries.MIN_RELATION_SCORE, 0.5).
// Parameters: $dataset (string) -- dataset name or alias. $min_score (float) -- lowest relationship score shown.
// Columns: system_id, system, dataset_id, evaluated_on_papers (EVALUATED_ON support, 0 if none),
//          value, unit, metric (of the Result, null if none), paper_id (the paper reporting it).
MATCH (d:Dataset)
WITH d, toLower($dataset) AS wanted
WHERE toLower(d.name) = wanted OR any(alias IN d.aliases WHERE toLower(alias) = wanted)
MATCH (m:Model|Method)
OPTIONAL MATCH (m)-[e:EVALUATED_ON]->(d)
WHERE e.score >= $min_score
OPTIONAL MATCH (m)-[a:ACHIEVES]->(r:Result)-[:MEASURED_ON]->(d)
WHERE a.score >= $min_score
WITH m, d, r, coalesce(max(e.support), 0) AS evaluated_on_papers
WHERE evaluated_on_papers > 0 OR r IS NOT NULL
RETURN m.id AS system_id, m.name AS system, d.id AS dataset_id, evaluated_on_papers,
       r.value AS value, r.unit AS unit, r.metric AS metric, r.paper_id AS paper_id
ORDER BY system_id, dataset_id, paper_id, metric, value, unit
