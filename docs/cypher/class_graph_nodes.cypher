// Attribution graph of a class: its neurons with count and pagerank, layer by layer.
:param model => 'efficientnet_lite0-demo';
:param class => 323;

MATCH (:Model {id: $model})-[:ACTIVE_LOAD]->(:Load)-[:HAS_CLASS]->(c:Class {index: $class})
MATCH (c)-[:HAS_NODE]->(g:GraphNode)
RETURN g.neuron AS neuron, g.layer AS layer, g.count AS count, g.pagerank AS pagerank
ORDER BY g.layer_index, pagerank DESC, neuron;
