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

  logic [2*SLOTS*WIDTH-1:0] all;
  assign all = {bucket1, bucket0};

  always_comb begin
    hit   = 1'b0;
    entry = all[0 +: WIDTH];
    for (int e = 2 * SLOTS - 1; e >= 0; e--) begin
      // {.., ip[31:0] at 34, vni[23:0] at 10, .., valid at 0}
      if (all[e*WIDTH] && all[e*WIDTH+10 +: 24] == vni && all[e*WIDTH+34 +: 32] == ip) begin
        hit   = 1'b1;
        entry = all[e*WIDTH +: WIDTH];
      end
    end
  end

endmodule
