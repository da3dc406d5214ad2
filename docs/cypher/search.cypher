// Search class names (and each comma-separated synonym), wnids and neuron ids:
// score 2 = exact, 1 = prefix, 0.5 = substring (case-insensitive).
// :param model => 'my-run-id'
// :param text => 'gold'
// :param limit => 20
MATCH (m:Model {id: $model})
WITH m, toLower(trim($text)) AS t
CALL (m, t) {
  MATCH (c:Class {load: m.active_load})
  WITH c, t, [c.name, c.wnid, toString(c.index)] + [s IN split(c.name, ',') | trim(s)] AS names
  WHERE t <> '' AND any(x IN names WHERE toLower(x) CONTAINS t)
  RETURN 'class' AS kind, toString(c.index) AS id, c.name + ' (' + c.wnid + ')' AS label,
         CASE WHEN any(x IN names WHERE toLower(x) = t) THEN 2.0
              WHEN any(x IN names WHERE toLower(x) STARTS WITH t) THEN 1.0 ELSE 0.5 END AS score
  UNION ALL
  MATCH (n:Neuron {load: m.active_load})
  WHERE t <> '' AND toLower(n.id) CONTAINS t
  RETURN 'neuron' AS kind, n.id AS id, n.id AS label,
         CASE WHEN toLower(n.id) = t THEN 2.0 WHEN toLower(n.id) STARTS WITH t THEN 1.0 ELSE 0.5 END AS score
}
RETURN kind, id, label, score
ORDER BY score DESC, label, kind
LIMIT $limit
