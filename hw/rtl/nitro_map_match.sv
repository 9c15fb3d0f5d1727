// nitro_map_match: compares a key against the two buckets a mapping lookup read (way 0 and
// way 1, SLOTS entries each) and returns the first matching entry in the order way 0 slot 0 ..
// way 0 slot SLOTS-1, way 1 slot 0 .. (docs/card-semantics.md, "Mapping"). Combinational.
// Entry layout (WIDTH = 146): {mac[47:0], underlay_ip[31:0], ip[31:0], vni[23:0], slot[7:0], local, valid}.
module nitro_map_match #(
  parameter int WIDTH = 146,  // bits per entry (must be 146)
  parameter int SLOTS = 4     // entries per bucket
) (
  input  logic [SLOTS*WIDTH-1:0] bucket0,   // way 0 bucket, slot s in bits [s*WIDTH +: WIDTH]
  input  logic [SLOTS*WIDTH-1:0] bucket1,   // way 1 bucket
  input  logic [23:0]            vni,
  input  logic [31:0]            ip,
  output logic                   hit,
  output logic [WIDTH-1:0]       entry      // the first matching entry (don't care on a miss)
);

  if (WIDTH != 146) begin : g_chk_width
    $error("nitro_map_match: WIDTH must be 146");
  end

  localparam int S_W = $clog2(SLOTS) > 0 ? $clog2(SLOTS) : 1;

  // Entry e of each way against the key: {.., ip[31:0] at 34, vni[23:0] at 10, .., valid at 0}.
  // The entries stay in their buckets (no concatenation of both), and only the first match is
  // selected: Verilator then moves one entry a cycle, not every one.
  logic [SLOTS-1:0] m0, m1;
  for (genvar e = 0; e < SLOTS; e++) begin : g_cmp
    assign m0[e] = bucket0[e*WIDTH] && bucket0[e*WIDTH+10 +: 24] == vni && bucket0[e*WIDTH+34 +: 32] == ip;
    assign m1[e] = bucket1[e*WIDTH] && bucket1[e*WIDTH+10 +: 24] == vni && bucket1[e*WIDTH+34 +: 32] == ip;
  end

  logic [S_W-1:0] first0, first1;
  always_comb begin
    first0 = '0;
    first1 = '0;
    for (int e = SLOTS - 1; e >= 0; e--) begin
      if (m0[e]) first0 = S_W'(e);
      if (m1[e]) first1 = S_W'(e);
    end
  end

  assign hit   = |{m1, m0};
  assign entry = (m0 != '0 || m1 == '0) ? bucket0[first0*WIDTH +: WIDTH] : bucket1[first1*WIDTH +: WIDTH];

endmodule
