// nitro_ct_decide: one security group op on one tracking bucket (docs/card-filtering.md,
// "The security group stage", steps 1-4), combinational. nitro_conntrack chains two: a
// record's op0 on the bucket as read, op1 on the bucket as op0 left it.
//   1. a live tracked entry with the key (first such way) -> allowed, the entry refreshed;
//   2. else the rules (rules_known / rules_match): no match -> fail (sg-deny);
//   3. else untracked and not ICMP -> allowed; with `count` (the slot has flow records on) the
//      packet's live count-only entry is refreshed, else a new count-only entry goes into the
//      lowest way that is not live, else it passes `uncounted` (docs/card-flow-records.md);
//   4. else a new entry in the lowest way that is not live; none -> fail, full (conntrack-full).
// A count-only entry ages like a tracked one but is never a step-1 match: it only counts.
// Entry: {count_only, last_seen[63:0], fins[1:0], state[2:0], created_ingress, used, key[KEY_W-1:0]}.
module nitro_ct_decide #(
  parameter int WAYS  = 4,
  parameter int KEY_W = 112,
  parameter int EW    = KEY_W + 72
) (
  input  logic                 act,          // the op runs (else every output is idle)
  input  logic [WAYS*EW-1:0]   ents,         // the bucket as this op sees it, way w at [w*EW +: EW]
  input  logic [WAYS-1:0]      live,         // way w holds a live entry
  input  logic [WAYS-1:0]      match,        // way w holds a live tracked entry with the op's key
  input  logic [WAYS-1:0]      co_match,     // way w holds a live count-only entry with the op's key
  input  logic [KEY_W-1:0]     key,
  input  logic                 ingress,
  input  logic                 untracked,
  input  logic                 count,        // the op's slot has flow records on: untracked packets are counted
  input  logic [7:0]           proto,
  input  logic                 fin,
  input  logic                 rst_seen,     // the packet has TCP RST
  input  logic [63:0]          now,
  input  logic                 rules_known,  // the rule answer is there (probe or scan)
  input  logic                 rules_match,  // and a rule of the direction matches
  output logic [WAYS-1:0]      we,           // the way written (at most one)
  output logic [EW-1:0]        ent,          // its new value
  output logic                 known,        // decided (0: waiting for the rules)
  output logic                 fail,         // dropped: sg-deny, or conntrack-full when full
  output logic                 full,
  output logic                 took_unused,  // the new entry went into a way that was not used
  output logic                 refresh,      // the way written held the op's live entry (tracked or count-only)
  output logic                 uncounted     // untracked, counted, and no way for a count-only entry
);

  localparam logic [2:0] ST_NONE = 3'd0, ST_TCP_OPEN = 3'd1, ST_TCP_CLOSED = 3'd2, ST_UDP_NEW = 3'd3,
                         ST_UDP_STREAM = 3'd4;

  function automatic logic [EW-1:0] refreshed(input logic [EW-1:0] e);
    logic [1:0] fins;
    logic [2:0] st;
    fins = e[KEY_W + 5 +: 2];
    st   = e[KEY_W + 2 +: 3];
    if (proto == 8'd6) begin
      if (rst_seen) st = ST_TCP_CLOSED;
      if (fin) begin
        fins = fins | (ingress ? 2'b01 : 2'b10);
        if (fins == 2'b11) st = ST_TCP_CLOSED;
      end
    end else if (proto == 8'd17 && ingress != e[KEY_W + 1]) begin
      st = ST_UDP_STREAM;
    end
    refreshed = {e[EW-1], now, fins, st, e[KEY_W + 1], 1'b1, e[KEY_W-1:0]};
  endfunction

  logic [2:0] new_st;
  logic       untr;   // step 3 applies: untracked, and not ICMP (always tracked)
  assign untr = untracked && proto != 8'd1;
  always_comb begin
    if (proto == 8'd6)       new_st = rst_seen ? ST_TCP_CLOSED : ST_TCP_OPEN;
    else if (proto == 8'd17) new_st = ST_UDP_NEW;
    else                     new_st = ST_NONE;
  end

  always_comb begin
    logic done_w;
    done_w      = 1'b0;
    we          = '0;
    ent         = '0;
    known       = 1'b1;
    fail        = 1'b0;
    full        = 1'b0;
    took_unused = 1'b0;
    refresh     = 1'b0;
    uncounted   = 1'b0;
    if (act) begin
      if (match != '0) begin
        for (int w = 0; w < WAYS; w++) begin
          if (match[w] && !done_w) begin
            done_w = 1'b1;
            we[w]  = 1'b1;
            ent    = refreshed(ents[w*EW +: EW]);
          end
        end
        refresh = 1'b1;
      end else if (!rules_known) begin
        known = 1'b0;
      end else if (!rules_match) begin
        fail = 1'b1;
      end else if (untr && !count) begin
        // allowed, nothing written
      end else begin
        // a count-only entry (untracked) refreshed, else a new entry of either kind
        for (int w = 0; w < WAYS; w++) begin
          if (untr && co_match[w] && !done_w) begin
            done_w  = 1'b1;
            we[w]   = 1'b1;
            ent     = refreshed(ents[w*EW +: EW]);
            refresh = 1'b1;
          end
        end
        for (int w = 0; w < WAYS; w++) begin
          if (!live[w] && !done_w) begin
            done_w      = 1'b1;
            we[w]       = 1'b1;
            ent         = {untr, now, 2'b00, new_st, ingress, 1'b1, key};
            took_unused = !ents[w*EW + KEY_W];
          end
        end
        fail      = !untr && !done_w;
        full      = !untr && !done_w;
        uncounted = untr && !done_w;
      end
    end
  end

endmodule
