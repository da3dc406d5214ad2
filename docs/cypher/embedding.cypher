// The 2-D class embedding of one layer.
// :param model => 'my-run-id'
// :param layer => 'mixed4d'
MATCH (m:Model {id: $model})
MATCH (p:Point {load: m.active_load, layer: $layer})
RETURN p.class_index AS class, p.x AS x, p.y AS y
ORDER BY class
