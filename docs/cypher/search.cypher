// Search class names (and each comma-separated synonym), wnids and neuron ids:
// score 2 = exact, 1 = prefix, 0.5 = substring (case-insensitive).
:param model => 'efficientnet_lite0-demo';
:param text => 'butterfly';
:param limit => 20;

MATCH (:Model {id: $model})-[:ACTIVE_LOAD]->(load:Load)
WITH load, toLower(trim($text)) AS t
CALL (load, t) {
  MATCH (load)-[:HAS_CLASS]->(c:Class)
  WITH c, t, [c.name, c.wnid, toString(c.index)] + [s IN split(c.name, ',') | trim(s)] AS names
  WHERE t <> '' AND any(x IN names WHERE toLower(x) CONTAINS t)
  RETURN 'class' AS kind, toString(c.index) AS id, c.name + ' (' + c.wnid + ')' AS label,
         CASE WHEN any(x IN names WHERE toLower(x) = t) THEN 2.0
              WHEN any(x IN names WHERE toLower(x) STARTS WITH t) THEN 1.0 ELSE 0.5 END AS score
  UNION ALL
  MATCH (n:Neuron {load: load.id})
  WHERE t <> '' AND toLower(n.id) CONTAINS t
  RETURN 'neuron' AS kind, n.id AS id, n.id AS label,
         CASE WHEN toLower(n.id) = t THEN 2.0 WHEN toLower(n.id) STARTS WITH t THEN 1.0 ELSE 0.5 END AS score
}
RETURN kind, id, label, score
ORDER BY score DESC, label, kind
LIMIT $limit;
