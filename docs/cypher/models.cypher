// Models in the database: the load each one serves, its size and how long loading it took.
MATCH (m:Model)
OPTIONAL MATCH (m)-[:ACTIVE_LOAD]->(load:Load)
RETURN m.id AS model, m.name AS name, m.classes AS classes, m.images AS images, load.id AS load,
       m.nodes AS nodes, m.relationships AS relationships, m.load_seconds AS load_seconds
ORDER BY model;
