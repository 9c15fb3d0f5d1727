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
// Probe (the connection tracking unit's fast path): while no scan runs, the memories read row
// `probe_row` every cycle; the cycle after, `probe_hit` says whether a rule of that row inside
// [probe_base, probe_base + probe_count) matches the probe packet, and `probe_final` whether
// the range ends in that row (so no match there is the final answer: no rule matches). A range
// that needs more rows is scanned with `start` as above. probe_* are meaningless while a scan
// runs (and in its `done` cycle, when the memories read probe_row again).
// Probe 1 (the second op of a TX-local record: the receiver's ingress rules): the same for
// another range and remote of the same packet (probe_proto, probe_p1, probe_p2), through a
// second read port of the memories that nothing else uses, so it stays valid during a scan.
// (1 write + 2 read ports: on an FPGA, two simple-dual-port copies of the array.)
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
  // Probe: row read address (this cycle), then the range and packet of that row (next cycle)
  input  logic [RULES_LOG2-1:0] probe_row_addr,   // rule index whose row is read
  input  logic                  probe_en,         // probe_hit is read this cycle (else it is 0)
  input  logic [15:0]           probe_base,
  input  logic [15:0]           probe_count,
  input  logic [31:0]           probe_remote,
  input  logic [7:0]            probe_proto,
  input  logic [15:0]           probe_p1,
  input  logic [15:0]           probe_p2,
  output logic                  probe_hit,
  output logic                  probe_final,
  // Probe 1: row read address (this cycle), then its range and remote (next cycle); without
  // probe1_rd_en the row read last is kept (the read port's enable)
  input  logic                  probe1_rd_en,
  input  logic [RULES_LOG2-1:0] probe1_row_addr,
  input  logic                  probe1_en,        // probe1_hit is read this cycle (else it is 0)
  input  logic [15:0]           probe1_base,
  input  logic [15:0]           probe1_count,
  input  logic [31:0]           probe1_remote,
  output logic                  probe1_hit,
  output logic                  probe1_final,
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
  (* mem2reg *) logic [112:0]      rdata [PER_CYCLE];
  // split_var: each bank's probe read a register of its own (an element of an array costs Verilator a delayed copy)
  (* mem2reg *) logic [112:0]      rdata1 [PER_CYCLE] /*verilator split_var*/;
  logic [PER_CYCLE-1:0] m, m1;
  logic [16:0]          p1_end;

  assign ready = !busy_q;
  assign raddr = rd_mode ? rd_index[RULES_LOG2-1:PC_LOG2]
               : busy_q ? pos_q[RULES_LOG2-1:PC_LOG2] : probe_row_addr[RULES_LOG2-1:PC_LOG2];

  // Compare operands: the scan's registers while scanning, else the probe's
  logic [31:0]         c_rem;
  logic [7:0]          c_proto;
  logic [15:0]         c_p1, c_p2;
  logic [16-PC_LOG2:0] c_row;
  logic [16:0]         c_lo, c_hi, p_end;
  assign p_end   = 17'(probe_base) + 17'(probe_count);
  assign c_rem   = busy_q ? rem_q   : probe_remote;
  assign c_proto = busy_q ? proto_q : probe_proto;
  assign c_p1    = busy_q ? p1_q    : probe_p1;
  assign c_p2    = busy_q ? p2_q    : probe_p2;
  assign c_row   = busy_q ? rrow_q  : {1'b0, probe_base[15:PC_LOG2]};
  assign c_lo    = busy_q ? {1'b0, base_q} : {1'b0, probe_base};
  assign c_hi    = busy_q ? end_q : p_end;

  for (genvar b = 0; b < PER_CYCLE; b++) begin : g_bank
    logic [112:0] mem [2 ** ROW_W];
    logic [16:0]  idx;
    logic         mt;
    logic [16:0]  idx1;
    logic         mt1;
    // Reads, then the write (read-first); the write is blocking because nothing else reads mem (a non-blocking
    // one costs the Verilated model a delayed copy, index and flag every cycle).
    always_ff @(posedge clk) begin
      rdata[b]  <= mem[raddr];
      if (probe1_rd_en) rdata1[b] <= mem[probe1_row_addr[RULES_LOG2-1:PC_LOG2]];
      /* verilator lint_off BLKSEQ */
      if (wr_en && wr_index[PCW-1:0] == PCW'(b)) mem[wr_index[RULES_LOG2-1:PC_LOG2]] = wr_data;
      /* verilator lint_on BLKSEQ */
    end
    // The matchers compare only when their answer is read (a scan's row in flight, or a probe
    // its user reads), so an idle card's rule array costs the simulation nothing.
    nitro_rule_match u_match1 (
      .en     (probe1_en),
      .rule   (rdata1[b]),
      .remote (probe1_remote),
      .proto  (probe_proto),
      .p1     (probe_p1),
      .p2     (probe_p2),
      .match  (mt1)
    );
    assign idx1  = {1'b0, probe1_base[15:PC_LOG2], PCW'(b)};
    assign m1[b] = mt1 && idx1 >= {1'b0, probe1_base} && idx1 < p1_end;
    nitro_rule_match u_match (
      .en     (busy_q ? rv_q : probe_en),
      .rule   (rdata[b]),
      .remote (c_rem),
      .proto  (c_proto),
      .p1     (c_p1),
      .p2     (c_p2),
      .match  (mt)
    );
    // only rules inside [base, base + count) of the compared row count
    assign idx  = {c_row, PCW'(b)};
    assign m[b] = mt && idx >= c_lo && idx < c_hi;
  end

  assign hit = rv_q && (m != '0);

  assign probe_hit   = !busy_q && (m != '0);
  assign probe_final = p_end <= {1'b0, probe_base[15:PC_LOG2], PCW'(0)} + 17'(PER_CYCLE);

  assign p1_end       = 17'(probe1_base) + 17'(probe1_count);
  assign probe1_hit   = m1 != '0;
  assign probe1_final = p1_end <= {1'b0, probe1_base[15:PC_LOG2], PCW'(0)} + 17'(PER_CYCLE);

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

  logic unused_probe;
  assign unused_probe = ^{probe_row_addr[PC_LOG2-1:0], probe1_row_addr[PC_LOG2-1:0]};

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
