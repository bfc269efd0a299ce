// Every relationship of an entity, found by its name or any alias (case-insensitive): one block
// per relationship type and direction that schema/graph.yaml allows for entities (tests check
// the blocks against the schema). Portable Cypher has no common way to read a relationship's type
// (Neo4j type(r), LadybugDB label(r)), so each block names its type.
// Parameters: $name (string) -- entity name or alias.
// Columns: entity_id, direction ('out' = entity is the start), relationship, other_id, other
//          (the other node's name, a paper's title or a result's value), support, score, papers.
MATCH (e:Method|Model)-[r:USES]->(o)
WITH e, r, o, toLower($name) AS wanted
WHERE toLower(e.name) = wanted OR any(alias IN e.aliases WHERE toLower(alias) = wanted)
RETURN e.id AS entity_id, 'out' AS direction, 'USES' AS relationship, o.id AS other_id, o.name AS other,
       r.support AS support, r.score AS score, r.papers AS papers
ORDER BY entity_id, other_id
UNION ALL
MATCH (e:Model|Method)-[r:EVALUATED_ON]->(o)
WITH e, r, o, toLower($name) AS wanted
WHERE toLower(e.name) = wanted OR any(alias IN e.aliases WHERE toLower(alias) = wanted)
RETURN e.id AS entity_id, 'out' AS direction, 'EVALUATED_ON' AS relationship, o.id AS other_id, o.name AS other,
       r.support AS support, r.score AS score, r.papers AS papers
ORDER BY entity_id, other_id
UNION ALL
MATCH (e:Model|Method)-[r:TRAINED_ON]->(o)
WITH e, r, o, toLower($name) AS wanted
WHERE toLower(e.name) = wanted OR any(alias IN e.aliases WHERE toLower(alias) = wanted)
RETURN e.id AS entity_id, 'out' AS direction, 'TRAINED_ON' AS relationship, o.id AS other_id, o.name AS other,
       r.support AS support, r.score AS score, r.papers AS papers
ORDER BY entity_id, other_id
UNION ALL
MATCH (e:Model)-[r:FINE_TUNED_FROM]->(o)
WITH e, r, o, toLower($name) AS wanted
WHERE toLower(e.name) = wanted OR any(alias IN e.aliases WHERE toLower(alias) = wanted)
RETURN e.id AS entity_id, 'out' AS direction, 'FINE_TUNED_FROM' AS relationship, o.id AS other_id, o.name AS other,
       r.support AS support, r.score AS score, r.papers AS papers
ORDER BY entity_id, other_id
UNION ALL
MATCH (e:Model|Method)-[r:BASED_ON]->(o)
WITH e, r, o, toLower($name) AS wanted
WHERE toLower(e.name) = wanted OR any(alias IN e.aliases WHERE toLower(alias) = wanted)
RETURN e.id AS entity_id, 'out' AS direction, 'BASED_ON' AS relationship, o.id AS other_id, o.name AS other,
       r.support AS support, r.score AS score, r.papers AS papers
ORDER BY entity_id, other_id
UNION ALL
MATCH (e:Model|Method)-[r:OUTPERFORMS]->(o)
WITH e, r, o, toLower($name) AS wanted
WHERE toLower(e.name) = wanted OR any(alias IN e.aliases WHERE toLower(alias) = wanted)
RETURN e.id AS entity_id, 'out' AS direction, 'OUTPERFORMS' AS relationship, o.id AS other_id, o.name AS other,
       r.support AS support, r.score AS score, r.papers AS papers
ORDER BY entity_id, other_id
UNION ALL
MATCH (e:Method|Model)-[r:ADDRESSES]->(o)
WITH e, r, o, toLower($name) AS wanted
WHERE toLower(e.name) = wanted OR any(alias IN e.aliases WHERE toLower(alias) = wanted)
RETURN e.id AS entity_id, 'out' AS direction, 'ADDRESSES' AS relationship, o.id AS other_id, o.name AS other,
       r.support AS support, r.score AS score, r.papers AS papers
ORDER BY entity_id, other_id
UNION ALL
MATCH (e:Dataset)-[r:BENCHMARK_FOR]->(o)
WITH e, r, o, toLower($name) AS wanted
WHERE toLower(e.name) = wanted OR any(alias IN e.aliases WHERE toLower(alias) = wanted)
RETURN e.id AS entity_id, 'out' AS direction, 'BENCHMARK_FOR' AS relationship, o.id AS other_id, o.name AS other,
       r.support AS support, r.score AS score, r.papers AS papers
ORDER BY entity_id, other_id
UNION ALL
MATCH (e:Model|Method)-[r:COMPARED_WITH]->(o)
WITH e, r, o, toLower($name) AS wanted
WHERE toLower(e.name) = wanted OR any(alias IN e.aliases WHERE toLower(alias) = wanted)
RETURN e.id AS entity_id, 'out' AS direction, 'COMPARED_WITH' AS relationship, o.id AS other_id, o.name AS other,
       r.support AS support, r.score AS score, r.papers AS papers
ORDER BY entity_id, other_id
UNION ALL
MATCH (e:Method|Model|Dataset|Task)-[r:PART_OF]->(o)
WITH e, r, o, toLower($name) AS wanted
WHERE toLower(e.name) = wanted OR any(alias IN e.aliases WHERE toLower(alias) = wanted)
RETURN e.id AS entity_id, 'out' AS direction, 'PART_OF' AS relationship, o.id AS other_id, o.name AS other,
       r.support AS support, r.score AS score, r.papers AS papers
ORDER BY entity_id, other_id
UNION ALL
MATCH (e:Method|Model|Dataset|Task|Metric)-[r:SUBCLASS_OF]->(o)
WITH e, r, o, toLower($name) AS wanted
WHERE toLower(e.name) = wanted OR any(alias IN e.aliases WHERE toLower(alias) = wanted)
RETURN e.id AS entity_id, 'out' AS direction, 'SUBCLASS_OF' AS relationship, o.id AS other_id, o.name AS other,
       r.support AS support, r.score AS score, r.papers AS papers
ORDER BY entity_id, other_id
UNION ALL
MATCH (e:Model)-[r:VARIANT_OF]->(o)
WITH e, r, o, toLower($name) AS wanted
WHERE toLower(e.name) = wanted OR any(alias IN e.aliases WHERE toLower(alias) = wanted)
RETURN e.id AS entity_id, 'out' AS direction, 'VARIANT_OF' AS relationship, o.id AS other_id, o.name AS other,
       r.support AS support, r.score AS score, r.papers AS papers
ORDER BY entity_id, other_id
UNION ALL
MATCH (e:Model|Method)-[r:ACHIEVES]->(o)
WITH e, r, o, toLower($name) AS wanted
WHERE toLower(e.name) = wanted OR any(alias IN e.aliases WHERE toLower(alias) = wanted)
RETURN e.id AS entity_id, 'out' AS direction, 'ACHIEVES' AS relationship, o.id AS other_id, o.value AS other,
       r.support AS support, r.score AS score, r.papers AS papers
ORDER BY entity_id, other_id
UNION ALL
MATCH (o)-[r:MENTIONS]->(e:Method|Model|Dataset|Metric|Task)
WITH e, r, o, toLower($name) AS wanted
WHERE toLower(e.name) = wanted OR any(alias IN e.aliases WHERE toLower(alias) = wanted)
RETURN e.id AS entity_id, 'in' AS direction, 'MENTIONS' AS relationship, o.id AS other_id, o.title AS other,
       r.support AS support, r.score AS score, r.papers AS papers
ORDER BY entity_id, other_id
UNION ALL
MATCH (o)-[r:PROPOSES]->(e:Method|Model|Dataset|Metric|Task)
WITH e, r, o, toLower($name) AS wanted
WHERE toLower(e.name) = wanted OR any(alias IN e.aliases WHERE toLower(alias) = wanted)
RETURN e.id AS entity_id, 'in' AS direction, 'PROPOSES' AS relationship, o.id AS other_id, o.title AS other,
       r.support AS support, r.score AS score, r.papers AS papers
ORDER BY entity_id, other_id
UNION ALL
MATCH (o)-[r:USES]->(e:Method|Model|Dataset)
WITH e, r, o, toLower($name) AS wanted
WHERE toLower(e.name) = wanted OR any(alias IN e.aliases WHERE toLower(alias) = wanted)
RETURN e.id AS entity_id, 'in' AS direction, 'USES' AS relationship, o.id AS other_id, coalesce(o.title, o.name) AS other,
       r.support AS support, r.score AS score, r.papers AS papers
ORDER BY entity_id, other_id
UNION ALL
MATCH (o)-[r:EVALUATED_ON]->(e:Dataset)
WITH e, r, o, toLower($name) AS wanted
WHERE toLower(e.name) = wanted OR any(alias IN e.aliases WHERE toLower(alias) = wanted)
RETURN e.id AS entity_id, 'in' AS direction, 'EVALUATED_ON' AS relationship, o.id AS other_id, o.name AS other,
       r.support AS support, r.score AS score, r.papers AS papers
ORDER BY entity_id, other_id
UNION ALL
MATCH (o)-[r:TRAINED_ON]->(e:Dataset)
WITH e, r, o, toLower($name) AS wanted
WHERE toLower(e.name) = wanted OR any(alias IN e.aliases WHERE toLower(alias) = wanted)
RETURN e.id AS entity_id, 'in' AS direction, 'TRAINED_ON' AS relationship, o.id AS other_id, o.name AS other,
       r.support AS support, r.score AS score, r.papers AS papers
ORDER BY entity_id, other_id
UNION ALL
MATCH (o)-[r:FINE_TUNED_FROM]->(e:Model)
WITH e, r, o, toLower($name) AS wanted
WHERE toLower(e.name) = wanted OR any(alias IN e.aliases WHERE toLower(alias) = wanted)
RETURN e.id AS entity_id, 'in' AS direction, 'FINE_TUNED_FROM' AS relationship, o.id AS other_id, o.name AS other,
       r.support AS support, r.score AS score, r.papers AS papers
ORDER BY entity_id, other_id
UNION ALL
MATCH (o)-[r:BASED_ON]->(e:Model|Method)
WITH e, r, o, toLower($name) AS wanted
WHERE toLower(e.name) = wanted OR any(alias IN e.aliases WHERE toLower(alias) = wanted)
RETURN e.id AS entity_id, 'in' AS direction, 'BASED_ON' AS relationship, o.id AS other_id, o.name AS other,
       r.support AS support, r.score AS score, r.papers AS papers
ORDER BY entity_id, other_id
UNION ALL
MATCH (o)-[r:OUTPERFORMS]->(e:Model|Method)
WITH e, r, o, toLower($name) AS wanted
WHERE toLower(e.name) = wanted OR any(alias IN e.aliases WHERE toLower(alias) = wanted)
RETURN e.id AS entity_id, 'in' AS direction, 'OUTPERFORMS' AS relationship, o.id AS other_id, o.name AS other,
       r.support AS support, r.score AS score, r.papers AS papers
ORDER BY entity_id, other_id
UNION ALL
MATCH (o)-[r:ADDRESSES]->(e:Task)
WITH e, r, o, toLower($name) AS wanted
WHERE toLower(e.name) = wanted OR any(alias IN e.aliases WHERE toLower(alias) = wanted)
RETURN e.id AS entity_id, 'in' AS direction, 'ADDRESSES' AS relationship, o.id AS other_id, o.name AS other,
       r.support AS support, r.score AS score, r.papers AS papers
ORDER BY entity_id, other_id
UNION ALL
MATCH (o)-[r:BENCHMARK_FOR]->(e:Task)
WITH e, r, o, toLower($name) AS wanted
WHERE toLower(e.name) = wanted OR any(alias IN e.aliases WHERE toLower(alias) = wanted)
RETURN e.id AS entity_id, 'in' AS direction, 'BENCHMARK_FOR' AS relationship, o.id AS other_id, o.name AS other,
       r.support AS support, r.score AS score, r.papers AS papers
ORDER BY entity_id, other_id
UNION ALL
MATCH (o)-[r:COMPARED_WITH]->(e:Model|Method)
WITH e, r, o, toLower($name) AS wanted
WHERE toLower(e.name) = wanted OR any(alias IN e.aliases WHERE toLower(alias) = wanted)
RETURN e.id AS entity_id, 'in' AS direction, 'COMPARED_WITH' AS relationship, o.id AS other_id, o.name AS other,
       r.support AS support, r.score AS score, r.papers AS papers
ORDER BY entity_id, other_id
UNION ALL
MATCH (o)-[r:PART_OF]->(e:Method|Model|Dataset|Task)
WITH e, r, o, toLower($name) AS wanted
WHERE toLower(e.name) = wanted OR any(alias IN e.aliases WHERE toLower(alias) = wanted)
RETURN e.id AS entity_id, 'in' AS direction, 'PART_OF' AS relationship, o.id AS other_id, o.name AS other,
       r.support AS support, r.score AS score, r.papers AS papers
ORDER BY entity_id, other_id
UNION ALL
MATCH (o)-[r:SUBCLASS_OF]->(e:Method|Model|Dataset|Task|Metric)
WITH e, r, o, toLower($name) AS wanted
WHERE toLower(e.name) = wanted OR any(alias IN e.aliases WHERE toLower(alias) = wanted)
RETURN e.id AS entity_id, 'in' AS direction, 'SUBCLASS_OF' AS relationship, o.id AS other_id, o.name AS other,
       r.support AS support, r.score AS score, r.papers AS papers
ORDER BY entity_id, other_id
UNION ALL
MATCH (o)-[r:VARIANT_OF]->(e:Model)
WITH e, r, o, toLower($name) AS wanted
WHERE toLower(e.name) = wanted OR any(alias IN e.aliases WHERE toLower(alias) = wanted)
RETURN e.id AS entity_id, 'in' AS direction, 'VARIANT_OF' AS relationship, o.id AS other_id, o.name AS other,
       r.support AS support, r.score AS score, r.papers AS papers
ORDER BY entity_id, other_id
UNION ALL
MATCH (o)-[r:MEASURED_ON]->(e:Dataset|Task)
WITH e, r, o, toLower($name) AS wanted
WHERE toLower(e.name) = wanted OR any(alias IN e.aliases WHERE toLower(alias) = wanted)
RETURN e.id AS entity_id, 'in' AS direction, 'MEASURED_ON' AS relationship, o.id AS other_id, o.value AS other,
       r.support AS support, r.score AS score, r.papers AS papers
ORDER BY entity_id, other_id
UNION ALL
MATCH (o)-[r:MEASURED_BY]->(e:Metric)
WITH e, r, o, toLower($name) AS wanted
WHERE toLower(e.name) = wanted OR any(alias IN e.aliases WHERE toLower(alias) = wanted)
RETURN e.id AS entity_id, 'in' AS direction, 'MEASURED_BY' AS relationship, o.id AS other_id, o.value AS other,
       r.support AS support, r.score AS score, r.papers AS papers
ORDER BY entity_id, other_id
