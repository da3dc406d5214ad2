// Attribution graph of a class: its edges (add `AND e.weight >= $min_weight` to re-threshold).
// :param model => 'my-run-id'
// :param class => 0
MATCH (m:Model {id: $model})
MATCH (c:Class {key: m.active_load + '|' + toString($class)})-[:HAS_NODE]->(a:Neuron)-[e:GRAPH_EDGE]->(b:Neuron)
WHERE e.class = $class
RETURN a.id AS src, b.id AS dst, e.weight AS weight
ORDER BY src, dst
