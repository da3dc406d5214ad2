// Neighbourhood of a neuron in one class's influence graph, 2 hops either way: the edges that
// touch the neuron or one of its neighbours (the server's neighbourhood(hops: 2)), strongest first.
// For h hops write *0..(h-1) (Cypher takes no parameter there).
:param model => 'efficientnet_lite0-demo';
:param neuron => 'blocks.4.2:22';
:param class => 323;
:param limit => 100;

MATCH (:Model {id: $model})-[:ACTIVE_LOAD]->(load:Load)
MATCH (:Neuron {load: load.id, id: $neuron})<-[:OF_NEURON]-(n:InfluenceNode {class: $class})
MATCH (n)-[:INFLUENCES*0..1]-(near:InfluenceNode)
WITH DISTINCT near
MATCH (near)-[r:INFLUENCES]-(:InfluenceNode)
WITH DISTINCT r
RETURN startNode(r).neuron AS src, endNode(r).neuron AS dst, r.count AS weight
ORDER BY weight DESC, src, dst
LIMIT $limit;
