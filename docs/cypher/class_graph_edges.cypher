// Attribution graph of a class: its edges (raise min_weight to re-threshold).
:param model => 'efficientnet_lite0-demo';
:param class => 323;
:param min_weight => 0;

MATCH (:Model {id: $model})-[:ACTIVE_LOAD]->(:Load)-[:HAS_CLASS]->(c:Class {index: $class})
MATCH (c)-[:HAS_NODE]->(a:GraphNode)-[e:GRAPH_EDGE]->(b:GraphNode)
WHERE e.weight >= $min_weight
RETURN a.neuron AS src, b.neuron AS dst, e.weight AS weight
ORDER BY src, dst;
