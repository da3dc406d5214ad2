// The classes whose attribution graphs contain one neuron, the most activated first: what a shared
// feature (e.g. mixed4d:463, in 325 of Summit's 1,000 published graphs) is used for.
:param model => 'inceptionv1-summit';
:param neuron => 'mixed4d:463';

MATCH (:Model {id: $model})-[:ACTIVE_LOAD]->(load:Load)
MATCH (n:Neuron {load: load.id, id: $neuron})<-[:OF_NEURON]-(g:GraphNode)<-[:HAS_NODE]-(c:Class)
RETURN c.index AS class, c.name AS name, g.count AS count, g.pagerank AS pagerank
ORDER BY count DESC, class;
