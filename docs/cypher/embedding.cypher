// The 2-D class embedding of one layer.
:param model => 'efficientnet_lite0-demo';
:param layer => 'blocks.5.2';

MATCH (:Model {id: $model})-[:ACTIVE_LOAD]->(:Load)-[:HAS_CLASS]->(c:Class)-[:HAS_POINT]->(p:Point {layer: $layer})
RETURN c.index AS class, p.x AS x, p.y AS y
ORDER BY class;
