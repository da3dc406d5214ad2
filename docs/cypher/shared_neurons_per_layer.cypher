// Per layer, the neurons found in the most class attribution graphs: the features many classes rely on.
// On Summit's published InceptionV1 graphs (`summit import-summit`), mixed3a:101 is in 461 of the
// 1,000 graphs and mixed4d:463 in 325.
// :param model => 'inceptionv1-summit'
// :param limit => 5
MATCH (m:Model {id: $model})
MATCH (c:Class {load: m.active_load})-[:HAS_NODE]->(n:Neuron)
WITH n, count(c) AS graphs
ORDER BY n.layer_index, graphs DESC, n.id
WITH n.layer_index AS layer_index, n.layer AS layer, collect([n.id, graphs])[..$limit] AS top
UNWIND top AS item
RETURN layer, item[0] AS neuron, item[1] AS graphs
ORDER BY layer_index, graphs DESC, neuron
