// Per layer, the neurons found in the most class attribution graphs: the features many classes rely on.
// On Summit's published InceptionV1 graphs (`summit import-summit`), mixed3a:101 is in 461 of the
// 1,000 graphs and mixed4d:463 in 325.
:param model => 'inceptionv1-summit';
:param limit => 5;

MATCH (:Model {id: $model})-[:ACTIVE_LOAD]->(load:Load)
MATCH (g:GraphNode {load: load.id})
WITH g.layer_index AS layer_index, g.layer AS layer, g.neuron AS neuron, count(*) AS graphs
ORDER BY layer_index, graphs DESC, neuron
WITH layer_index, layer, collect([neuron, graphs])[..$limit] AS top
UNWIND top AS item
RETURN layer, item[0] AS neuron, item[1] AS graphs
ORDER BY layer_index, graphs DESC, neuron;
