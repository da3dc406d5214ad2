// Influence edges into and out of a neuron in one class's influence graph, strongest first.
:param model => 'efficientnet_lite0-demo';
:param neuron => 'blocks.4.2:22';
:param class => 323;
:param limit => 50;

MATCH (:Model {id: $model})-[:ACTIVE_LOAD]->(load:Load)
MATCH (:Neuron {load: load.id, id: $neuron})<-[:OF_NEURON]-(n:InfluenceNode {class: $class})
MATCH (n)-[r:INFLUENCES]-(:InfluenceNode)
RETURN startNode(r).neuron AS src, endNode(r).neuron AS dst, r.count AS count
ORDER BY count DESC, src, dst
LIMIT $limit;
