// Classes that activate a neuron most (count of images; mean = act_sum / class images).
// :param model => 'my-run-id'
// :param neuron => 'mixed4d:12'
// :param limit => 10
MATCH (m:Model {id: $model})
MATCH (n:Neuron {key: m.active_load + '|' + $neuron})<-[a:ACTIVATES]-(c:Class)
RETURN c.index AS class, c.name AS name, a.count AS count, a.mean AS mean
ORDER BY count DESC, class
LIMIT $limit
