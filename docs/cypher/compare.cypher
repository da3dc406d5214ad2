// Compare the attribution graphs of two classes: each neuron with its count in A and in B.
// :param model => 'my-run-id'
// :param a => 0
// :param b => 1
MATCH (m:Model {id: $model})
MATCH (c:Class) WHERE c.key IN [m.active_load + '|' + toString($a), m.active_load + '|' + toString($b)]
MATCH (c)-[h:HAS_NODE]->(n:Neuron)
WITH n, collect([c.index, h.count]) AS seen
WITH n, [x IN seen WHERE x[0] = $a | x[1]][0] AS count_a, [x IN seen WHERE x[0] = $b | x[1]][0] AS count_b
RETURN n.id AS neuron, count_a, count_b,
       CASE WHEN count_a IS NOT NULL AND count_b IS NOT NULL THEN 'shared'
            WHEN count_a IS NOT NULL THEN 'only_a' ELSE 'only_b' END AS side
ORDER BY n.layer_index, neuron
