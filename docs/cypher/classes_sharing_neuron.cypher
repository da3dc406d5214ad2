// The classes whose attribution graphs contain one neuron, the most activated first: what a shared
// feature (e.g. mixed4d:463, in 325 of Summit's 1,000 published graphs) is used for.
// :param model => 'inceptionv1-summit'
// :param neuron => 'mixed4d:463'
MATCH (m:Model {id: $model})
MATCH (c:Class)-[h:HAS_NODE]->(n:Neuron {key: m.active_load + '|' + $neuron})
RETURN c.index AS class, c.name AS name, h.count AS count, h.pagerank AS pagerank
ORDER BY count DESC, class
