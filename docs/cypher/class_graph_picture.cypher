// The attribution graph as a picture in Neo4j Browser (returns nodes and relationships).
// :param model => 'my-run-id'
// :param class => 0
MATCH (m:Model {id: $model})
MATCH (c:Class {key: m.active_load + '|' + toString($class)})-[:HAS_NODE]->(a:Neuron)
OPTIONAL MATCH (a)-[e:GRAPH_EDGE {class: $class}]->(b:Neuron)
RETURN a, e, b
