// Influence edges into and out of a neuron summed across all classes, strongest first.
:param model => 'efficientnet_lite0-demo';
:param neuron => 'blocks.4.2:22';
:param limit => 50;

MATCH (:Model {id: $model})-[:ACTIVE_LOAD]->(load:Load)
MATCH (:Neuron {load: load.id, id: $neuron})<-[:OF_NEURON]-(n:InfluenceNode)-[r:INFLUENCES]-(:InfluenceNode)
WITH startNode(r).neuron AS src, endNode(r).neuron AS dst, sum(r.count) AS count
RETURN src, dst, count
ORDER BY count DESC, src, dst
LIMIT $limit;
