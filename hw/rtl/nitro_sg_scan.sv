// nitro_sg_scan: the security group rule scan for a new flow (docs/card-filtering.md, "Security
// groups", step 2): is any rule of the ENI's range [base, base + count) of the shared sgRule
// array a match? The array (2**RULES_LOG2 rules) is split into PER_CYCLE memories by index
// mod PER_CYCLE (row = index / PER_CYCLE), so a scan reads PER_CYCLE consecutive rules a cycle
// and compares them (nitro_rule_match); it stops at the first match.
// One scan at a time: `start` is taken when `ready`; `done` pulses with `allowed`.
// Cycles (clock edges from the one taking `start` to the one raising `done`): 1 + the rows of
// the range read up to and including the first matching one; with no match 1 + the rows the
// range touches = 1 + ceil((base mod PER_CYCLE + count) / PER_CYCLE) (1 for count 0).
// Established flows never come here.
// Writes and read-backs (table engine; read-back only while no scan runs) by rule index;
// rd_data valid from the second cycle of rd_mode.
module nitro_sg_scan #(
  parameter int RULES_LOG2 = 14,  // rules in the shared array (log2, 2..16)
  parameter int PER_CYCLE  = 4    // rules compared per cycle (power of two, 2..16)
) (
  input  logic                  clk,
  input  logic                  rst,         // synchronous, active high
  // Scan request
  input  logic                  start,
  output logic                  ready,
  input  logic [15:0]           base,
  input  logic [15:0]           count,
  input  logic [31:0]           remote,
  input  logic [7:0]            proto,
  input  logic [15:0]           p1,
  input  logic [15:0]           p2,
  output logic                  done,
  output logic                  allowed,
  // Table writes / read-back by rule index
  input  logic                  wr_en,
  input  logic [RULES_LOG2-1:0] wr_index,
  input  logic [112:0]          wr_data,
  input  logic                  rd_mode,
  input  logic [RULES_LOG2-1:0] rd_index,
  output logic [112:0]          rd_data
);

  localparam int PC_LOG2 = $clog2(PER_CYCLE);
  localparam int PCW     = PC_LOG2;
  localparam int ROW_W   = RULES_LOG2 - PC_LOG2;

  if (RULES_LOG2 < 2 || RULES_LOG2 > 16) begin : g_chk_rules
    $error("nitro_sg_scan: RULES_LOG2 must be in 2..16");
  end
  if (PER_CYCLE < 2 || PER_CYCLE > 16 || 2 ** PC_LOG2 != PER_CYCLE || PC_LOG2 >= RULES_LOG2) begin : g_chk_pc
    $error("nitro_sg_scan: PER_CYCLE must be a power of two in 2..16, below the array size");
  end

  // ---------------------------------------------------------------- scan state
  logic              busy_q, rv_q;          // scanning; a row read is in flight
  logic [16:0]       pos_q, end_q;          // next rule index to read, range end
  logic [16-PC_LOG2:0] rrow_q;              // row being compared
  logic [15:0]       base_q;
  logic [31:0]       rem_q;
  logic [7:0]        proto_q;
  logic [15:0]       p1_q, p2_q;
  logic              hit;
  logic [ROW_W-1:0]  raddr;
  logic [112:0]      rdata [PER_CYCLE];
  logic [PER_CYCLE-1:0] m;

  assign ready = !busy_q;
  assign raddr = rd_mode ? rd_index[RULES_LOG2-1:PC_LOG2] : pos_q[RULES_LOG2-1:PC_LOG2];

  for (genvar b = 0; b < PER_CYCLE; b++) begin : g_bank
    logic [112:0] mem [2 ** ROW_W];
    logic [16:0]  idx;
    logic         mt;
    always_ff @(posedge clk) begin
      if (wr_en && wr_index[PCW-1:0] == PCW'(b)) mem[wr_index[RULES_LOG2-1:PC_LOG2]] <= wr_data;
      rdata[b] <= mem[raddr];
    end
    nitro_rule_match u_match (
      .rule   (rdata[b]),
      .remote (rem_q),
      .proto  (proto_q),
      .p1     (p1_q),
      .p2     (p2_q),
      .match  (mt)
    );
    // only rules inside [base, base + count) of the compared row count
    assign idx  = {rrow_q, PCW'(b)};
    assign m[b] = mt && idx >= {1'b0, base_q} && idx < end_q;
  end

  assign hit = rv_q && (m != '0);

  always_ff @(posedge clk) begin
    if (rst) begin
      busy_q <= 1'b0;
      rv_q   <= 1'b0;
      done   <= 1'b0;
    end else begin
      done <= 1'b0;
      if (!busy_q) begin
        rv_q <= 1'b0;
        if (start) begin
          busy_q  <= 1'b1;
          base_q  <= base;
          pos_q   <= {1'b0, base};
          end_q   <= 17'(base) + 17'(count);
          rem_q   <= remote;
          proto_q <= proto;
          p1_q    <= p1;
          p2_q    <= p2;
        end
      end else if (hit) begin                       // a rule of the compared row matches
        busy_q  <= 1'b0;
        rv_q    <= 1'b0;
        done    <= 1'b1;
        allowed <= 1'b1;
      end else if (pos_q >= end_q) begin            // range read and compared: no match
        busy_q  <= 1'b0;
        rv_q    <= 1'b0;
        done    <= 1'b1;
        allowed <= 1'b0;
      end else begin                                // read the next row
        rv_q   <= 1'b1;
        rrow_q <= pos_q[16:PC_LOG2];
        pos_q  <= {pos_q[16:PC_LOG2], PCW'(0)} + 17'(PER_CYCLE);
      end
    end
  end

  // Read-back
  logic [PCW-1:0] rd_b_q;
  always_ff @(posedge clk) rd_b_q <= rd_index[PCW-1:0];
  always_comb begin
    rd_data = rdata[0];
    for (int b = 0; b < PER_CYCLE; b++) begin
      if (rd_b_q == PCW'(b)) rd_data = rdata[b];
    end
  end

endmodule
