// Papers that mention an entity (found by its name or any alias, case-insensitive), with evidence.
// Parameters: $name (string) -- entity name or alias.
// Columns: paper_id, title, year, entity_id, mentions (count), texts (surface forms),
//          evidence (one JSON object per mention: paper, field, start, end, text, source).
MATCH (p:Paper)-[r:MENTIONS]->(e:Method|Model|Dataset|Metric|Task)
WITH p, r, e, toLower($name) AS wanted
WHERE toLower(e.name) = wanted OR any(alias IN e.aliases WHERE toLower(alias) = wanted)
RETURN p.id AS paper_id, p.title AS title, p.year AS year, e.id AS entity_id,
       r.count AS mentions, r.texts AS texts, r.evidence AS evidence
ORDER BY paper_id, entity_id
