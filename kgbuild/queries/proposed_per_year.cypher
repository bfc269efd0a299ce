// Methods and models proposed (PROPOSES) per publication year of the proposing papers.
// Parameters: none.
// Columns: year, entity_id, entity, papers (proposing papers of that year).
MATCH (p:Paper)-[:PROPOSES]->(e:Method|Model)
WHERE p.year IS NOT NULL
RETURN p.year AS year, e.id AS entity_id, e.name AS entity, count(DISTINCT p) AS papers
ORDER BY year, entity_id
