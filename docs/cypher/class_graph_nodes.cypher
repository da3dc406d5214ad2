// Attribution graph of a class: its neurons with count and pagerank.
// :param model => 'my-run-id'
// :param class => 0
MATCH (m:Model {id: $model})
MATCH (c:Class {key: m.active_load + '|' + toString($class)})-[h:HAS_NODE]->(n:Neuron)
RETURN n.id AS neuron, n.layer AS layer, h.count AS count, h.pagerank AS pagerank
ORDER BY n.layer_index, pagerank DESC, neuron
