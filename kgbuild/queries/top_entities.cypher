// Entities of every label ranked by the number of distinct papers that mention them.
// Parameters: $limit (integer) -- how many entities to return.
// Columns: entity_id, entity, papers.
MATCH (p:Paper)-[:MENTIONS]->(e:Method|Model|Dataset|Metric|Task)
RETURN e.id AS entity_id, e.name AS entity, count(DISTINCT p) AS papers
ORDER BY papers DESC, entity_id
LIMIT $limit
