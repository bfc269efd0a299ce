// Models and methods evaluated on a dataset, found by its name or any alias (case-insensitive):
// through an EVALUATED_ON relationship, a reported Result (ACHIEVES -> Result -> MEASURED_ON), or both.
// Parameters: $dataset (string) -- dataset name or alias.
// Columns: system_id, system, dataset_id, evaluated_on_papers (EVALUATED_ON support, 0 if none), results.
MATCH (d:Dataset)
WITH d, toLower($dataset) AS wanted
WHERE toLower(d.name) = wanted OR any(alias IN d.aliases WHERE toLower(alias) = wanted)
MATCH (m:Model|Method)
OPTIONAL MATCH (m)-[e:EVALUATED_ON]->(d)
OPTIONAL MATCH (m)-[:ACHIEVES]->(r:Result)-[:MEASURED_ON]->(d)
WITH m, d, coalesce(max(e.support), 0) AS evaluated_on_papers, count(DISTINCT r) AS results
WHERE evaluated_on_papers > 0 OR results > 0
RETURN m.id AS system_id, m.name AS system, d.id AS dataset_id, evaluated_on_papers, results
ORDER BY system_id, dataset_id
