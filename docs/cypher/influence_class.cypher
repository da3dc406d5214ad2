// Influence edges into and out of a neuron for one class, strongest first.
// :param model => 'my-run-id'
// :param neuron => 'mixed4d:12'
// :param class => 0
// :param limit => 50
MATCH (m:Model {id: $model})
MATCH (n:Neuron {key: m.active_load + '|' + $neuron})-[r:INFLUENCES]-(other:Neuron)
WHERE r.class = $class
RETURN startNode(r).id AS src, endNode(r).id AS dst, r.count AS count
ORDER BY count DESC, src, dst
LIMIT $limit
