// Most similar classes (cosine of activation rows; layer 'all' or a layer name).
:param model => 'efficientnet_lite0-demo';
:param class => 323;
:param layer => 'all';
:param limit => 20;

MATCH (:Model {id: $model})-[:ACTIVE_LOAD]->(:Load)-[:HAS_CLASS]->(c:Class {index: $class})
MATCH (c)-[s:SIMILAR]->(o:Class)
WHERE s.layer = $layer
RETURN o.index AS class, o.name AS name, s.cosine AS similarity
ORDER BY similarity DESC, class
LIMIT $limit;
