// Datasets ranked by the number of distinct papers that mention them.
// Parameters: $limit (integer) -- how many datasets to return.
// Columns: dataset_id, dataset, papers.
MATCH (p:Paper)-[:MENTIONS]->(d:Dataset)
RETURN d.id AS dataset_id, d.name AS dataset, count(DISTINCT p) AS papers
ORDER BY papers DESC, dataset_id
LIMIT $limit
