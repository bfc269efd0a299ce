// Reported results on a dataset, found by its name or any alias (case-insensitive):
// (system)-[:ACHIEVES]->(Result)-[:MEASURED_ON]->(dataset), with the reporting paper.
// Parameters: $dataset (string) -- dataset name or alias.
// Columns: system_id, system, value, unit, metric, paper_id, title, evidence.
MATCH (m:Model|Method)-[:ACHIEVES]->(r:Result)-[:MEASURED_ON]->(d:Dataset)
WITH m, r, d, toLower($dataset) AS wanted
WHERE toLower(d.name) = wanted OR any(alias IN d.aliases WHERE toLower(alias) = wanted)
OPTIONAL MATCH (p:Paper)-[:REPORTS]->(r)
RETURN m.id AS system_id, m.name AS system, r.value AS value, r.unit AS unit, r.metric AS metric,
       r.paper_id AS paper_id, p.title AS title, r.evidence AS evidence
ORDER BY system_id, paper_id, metric, value
