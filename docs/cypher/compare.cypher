// Compare the attribution graphs of two classes: each neuron with its count in A and in B.
:param model => 'efficientnet_lite0-demo';
:param a => 323;
:param b => 324;

MATCH (:Model {id: $model})-[:ACTIVE_LOAD]->(:Load)-[:HAS_CLASS]->(c:Class)
WHERE c.index IN [$a, $b]
MATCH (c)-[:HAS_NODE]->(g:GraphNode)
WITH g.neuron AS neuron, g.layer_index AS layer_index, collect([c.index, g.count]) AS seen
WITH neuron, layer_index, [x IN seen WHERE x[0] = $a | x[1]][0] AS count_a,
     [x IN seen WHERE x[0] = $b | x[1]][0] AS count_b
RETURN neuron, count_a, count_b,
       CASE WHEN count_a IS NOT NULL AND count_b IS NOT NULL THEN 'shared'
            WHEN count_a IS NOT NULL THEN 'only_a' ELSE 'only_b' END AS side
ORDER BY layer_index, neuron;
