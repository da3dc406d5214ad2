// The attribution graph of a class as a picture: its graph nodes (captioned by neuron id,
// coloured by layer) and edges. Graph nodes belong to one class, so Browser's "connect result
// nodes" adds nothing to the picture.
:param model => 'efficientnet_lite0-demo';
:param class => 323;

MATCH (:Model {id: $model})-[:ACTIVE_LOAD]->(:Load)-[:HAS_CLASS]->(c:Class {index: $class})
MATCH (c)-[:HAS_NODE]->(a:GraphNode)
OPTIONAL MATCH (a)-[e:GRAPH_EDGE]->(b:GraphNode)
RETURN a, e, b;
