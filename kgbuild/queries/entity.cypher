// An entity's own properties, found by its name or any alias (case-insensitive).
// The label is the part of entity_id before the first colon.
// Parameters: $name (string) -- entity name or alias.
// Columns: entity_id, name, full_name, aliases, alias_counts, mention_count, paper_count.
MATCH (e:Method|Model|Dataset|Metric|Task)
WITH e, toLower($name) AS wanted
WHERE toLower(e.name) = wanted OR any(alias IN e.aliases WHERE toLower(alias) = wanted)
RETURN e.id AS entity_id, e.name AS name, e.full_name AS full_name, e.aliases AS aliases,
       e.alias_counts AS alias_counts, e.mention_count AS mention_count, e.paper_count AS paper_count
ORDER BY entity_id
