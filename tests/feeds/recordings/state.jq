# state.jq: the state a client holds after the messages of one path, computed with jq alone
# (no wallboard-feeds code), as the snapshot message the server should send then (without "ts").
# Input: an array of messages, a snapshot first. Used by make.sh to cut recordings and by
# tests/feeds/feeds_replay.sh to check the server's snapshots.
def step_roster($key; $list; $e):
  if ($e.type | endswith("snapshot")) then $e
  else .seq = $e.seq | .totals = $e.totals
    | (.[$list] | map(.id) | index($e[$key].id)) as $i
    | if $i == null then .[$list] += [$e[$key]] else .[$list][$i] = $e[$key] end
  end;

def apply_roster($key; $list): reduce .[1:][] as $e (.[0]; step_roster($key; $list; $e));

# The totals of a roster state are the sums over its places (and their count).
def totals_are_sums($list):
  .[$list] as $l
  | all(.totals | to_entries[];
        .value == (if .key == $list then ($l | length) else ([$l[][.key]] | add // 0) end));

# "trades" of a data set count today: a day count that does not grow starts a new day.
def apply_trades:
  reduce .[1:][] as $e (.[0];
    if $e.type == "trades.snapshot" then $e
    else .seq = $e.seq
      | (if $e.day.trades <= .day.trades then .datasets |= map(.trades = 0) else . end)
      | .day = $e.day
      | .recent = ((.recent + [$e.trade]) | .[-20:])
      | (.datasets | map(.id) | index($e.trade.dataset_id)) as $i
      | if $i == null then
          .datasets += [{id: $e.trade.dataset_id, name: $e.trade.dataset,
                         category: $e.trade.category, last_price: $e.trade.price, trades: 1}]
        else .datasets[$i].last_price = $e.trade.price | .datasets[$i].trades += 1 end
    end);

def final_state:
  (if .[0].type == "clinics.snapshot" then apply_roster("clinic"; "clinics")
   elif .[0].type == "attendance.snapshot" then apply_roster("school"; "schools")
   else apply_trades end)
  | del(.ts);
