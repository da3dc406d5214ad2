// Models in the database and the load each one serves.
MATCH (m:Model)
RETURN m.id AS model, m.name AS name, m.classes AS classes, m.images AS images, m.active_load AS load
ORDER BY model
