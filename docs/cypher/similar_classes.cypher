// Most similar classes (cosine of activation rows; layer 'all' or a layer name).
// :param model => 'my-run-id'
// :param class => 0
// :param layer => 'all'
// :param limit => 20
MATCH (m:Model {id: $model})
MATCH (c:Class {key: m.active_load + '|' + toString($class)})-[s:SIMILAR]->(o:Class)
WHERE s.layer = $layer
RETURN o.index AS class, o.name AS name, s.cosine AS similarity
ORDER BY similarity DESC, class
LIMIT $limit
