// Influence edges into and out of a neuron summed across all classes, strongest first.
// :param model => 'my-run-id'
// :param neuron => 'mixed4d:12'
// :param limit => 50
MATCH (m:Model {id: $model})
MATCH (n:Neuron {key: m.active_load + '|' + $neuron})-[r:INFLUENCES]-(other:Neuron)
WITH startNode(r).id AS src, endNode(r).id AS dst, sum(r.count) AS count
RETURN src, dst, count
ORDER BY count DESC, src, dst
LIMIT $limit
