// Classes whose attribution graph contains a pinned subgraph: every neuron of $neurons and every
// edge of $edges ([src, dst] pairs; their ends count as neurons too), ranked by the neurons'
// summed PageRank in the class's graph. GraphQL: Model.classesContaining.
// :param model => 'my-run-id'
// :param neurons => ['mixed4d:12']
// :param edges => [['mixed4c:7', 'mixed4d:12']]
// :param limit => 50
MATCH (m:Model {id: $model})
WITH m.active_load AS load,
     reduce(ids = [], id IN $neurons + reduce(ends = [], e IN $edges | ends + e) |
            CASE WHEN id IN ids THEN ids ELSE ids + id END) AS wanted
UNWIND wanted AS id
MATCH (n:Neuron {key: load + '|' + id})<-[h:HAS_NODE]-(c:Class)
WITH c, load, size(wanted) AS size, count(*) AS found, sum(h.pagerank) AS mass
WHERE found = size
  AND all(e IN $edges WHERE EXISTS {
        MATCH (:Neuron {key: load + '|' + e[0]})-[g:GRAPH_EDGE]->(:Neuron {key: load + '|' + e[1]})
        WHERE g.class = c.index })
RETURN c.index AS class, c.name AS name, mass
ORDER BY mass DESC, class
LIMIT $limit
