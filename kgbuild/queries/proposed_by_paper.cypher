// What a paper proposes (PROPOSES), the paper found by its id or its title (case-insensitive), with the
// sentence that says so. Relationships scored below $min_score are left out (default
// kgbuild.queries.MIN_RELATION_SCORE, 0.5).
// Parameters: $paper (string) -- paper id (arxiv:2306.05425) or title. $min_score (float) -- lowest relationship score shown.
// Columns: paper_id, title, entity_id (its label is the part before the first colon), entity, score,
//          evidence (one JSON object: paper, field, start, end, text, source).
MATCH (p:Paper)-[r:PROPOSES]->(e:Method|Model|Dataset|Metric|Task)
WHERE (p.id = $paper OR toLower(p.title) = toLower($paper)) AND r.score >= $min_score
RETURN p.id AS paper_id, p.title AS title, e.id AS entity_id, e.name AS entity, r.score AS score,
       r.evidence AS evidence
ORDER BY paper_id, entity_id
