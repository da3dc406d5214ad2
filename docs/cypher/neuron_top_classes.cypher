// Classes that activate a neuron most (count of images; mean = act_sum / class images).
:param model => 'efficientnet_lite0-demo';
:param neuron => 'blocks.4.2:22';
:param limit => 10;

MATCH (:Model {id: $model})-[:ACTIVE_LOAD]->(load:Load)
MATCH (n:Neuron {load: load.id, id: $neuron})<-[a:ACTIVATES]-(c:Class)
RETURN c.index AS class, c.name AS name, a.count AS count, a.mean AS mean
ORDER BY count DESC, class
LIMIT $limit;
