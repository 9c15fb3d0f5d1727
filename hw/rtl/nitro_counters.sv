// nitro_counters: 64-bit drop counters (per reason) and ENI counters (per slot: txPackets,
// txBytes, rxPackets, rxBytes), with their CSR windows DROP_COUNT and ENI_COUNT. Reading a
// low word latches the counter's high word, which the following read of offset + 4 returns
// (one latch shared by the windows). COUNTER_CLEAR bit 0 zeroes everything.
// ENI_SG_COUNT: per slot sgAllowedIn, sgDeniedIn, sgAllowedOut, sgDeniedOut,
// conntrackAllowanceExceeded (EniCounter 4..8 at slot * 8 + counter - 4), up to two events a
// cycle from the security group stage (nitro_conntrack: the two ops of a TX-local record).
//
// Drops come from three sources (a: TX decisions, b: RX decisions, c: the punt path).
//
// Storage: small memories (distributed RAM: asynchronous read, one synchronous write port),
// one per event source, so every source updates its counter with one read-modify-write a
// cycle and no memory needs two write ports; a CSR read adds the banks of the sources that
// share a counter (rx: the two delivery sources; security group: the two events). Every
// entry has a valid bit in flip-flops: clear and reset drop the valid bits in one cycle (an
// invalid entry reads as 0 and its next increment starts from 0), so the memories are never
// walked. Same cycle behaviour as counters in registers: an event at edge t is in the total
// a CSR read sees from cycle t + 1 on; events in the clear cycle are lost.
module nitro_counters #(
  parameter int NUM_ENI = 64  // ENI slots (2..256)
) (
  input  logic        clk,
  input  logic        rst,          // synchronous, active high
  // CSR bus
  input  logic        csr_valid,
  input  logic        csr_write,
  input  logic [15:0] csr_addr,
  input  logic [31:0] csr_wdata,
  output logic [31:0] csr_rd,       // read data for this block's addresses, else 0
  // Drops
  input  logic        a_drop,
  input  logic [3:0]  a_reason,
  input  logic        b_drop,
  input  logic [3:0]  b_reason,
  input  logic        c_drop,       // the punt path (nitro_punt)
  input  logic [3:0]  c_reason,
  // TX accepted
  input  logic        tx_v,
  input  logic [7:0]  tx_slot,
  input  logic [15:0] tx_len,
  // Host-port deliveries (two sources)
  input  logic        ra_v,
  input  logic [7:0]  ra_slot,
  input  logic [15:0] ra_len,
  input  logic        rb_v,
  input  logic [7:0]  rb_slot,
  input  logic [15:0] rb_len,
  // Security group stage: [0] and [1], one event per op
  input  logic [1:0]      sg_v,
  input  logic [15:0]     sg_slot,      // {event 1, event 0}
  input  logic [1:0]      sg_ingress,
  input  logic [1:0]      sg_allowed,
  input  logic [1:0]      sg_exceeded
);

  localparam int NR = nitro_regs_pkg::DROP_REASON_COUNT;
  localparam int SW = $clog2(NUM_ENI);   // slot index bits
  localparam int RW = $clog2(NR);        // reason index bits

  if (NUM_ENI < 2 || NUM_ENI > 256) begin : g_chk_eni
    $error("nitro_counters: NUM_ENI must be in 2..256");
  end
  if (NR > 16 || NR < 2) begin : g_chk_nr
    $error("nitro_counters: 2..16 drop reasons");
  end

  logic clear;
  assign clear = rst || (csr_valid && csr_write && (csr_addr == nitro_regs_pkg::ADDR_COUNTER_CLEAR) && csr_wdata[0]);

  // ---------------------------------------------------------------- banks
  // Drops: bank a (TX) and bank b (RX), indexed by reason.
  logic [63:0]    drop_a_mem [NR];
  logic [63:0]    drop_b_mem [NR];
  logic [63:0]    drop_c_mem [NR];
  logic [NR-1:0]  drop_a_ok_q, drop_b_ok_q, drop_c_ok_q;
  // TX packets and bytes: one bank, indexed by slot.
  logic [63:0]    txp_mem [NUM_ENI];
  logic [63:0]    txb_mem [NUM_ENI];
  logic [NUM_ENI-1:0] tx_ok_q;
  // RX packets and bytes: bank a (TX local deliveries), bank b (RX deliveries).
  logic [63:0]    rxp_a_mem [NUM_ENI];
  logic [63:0]    rxb_a_mem [NUM_ENI];
  logic [63:0]    rxp_b_mem [NUM_ENI];
  logic [63:0]    rxb_b_mem [NUM_ENI];
  logic [NUM_ENI-1:0] rx_a_ok_q, rx_b_ok_q;
  // Security group: per event e, the allow/deny counters at {slot, !ingress, !allowed} and the
  // exceeded counter at slot.
  logic [63:0]    sg0_mem [4*NUM_ENI];
  logic [63:0]    sg1_mem [4*NUM_ENI];
  logic [63:0]    ex0_mem [NUM_ENI];
  logic [63:0]    ex1_mem [NUM_ENI];
  logic [4*NUM_ENI-1:0] sg0_ok_q, sg1_ok_q;
  logic [NUM_ENI-1:0]   ex0_ok_q, ex1_ok_q;

  // Event addresses (an event for a slot the card does not have counts nowhere).
  logic          tx_in, ra_in, rb_in, sg0_in, sg1_in;
  logic [SW-1:0] tx_s, ra_s, rb_s, sg0_s, sg1_s;
  logic [SW+1:0] sg0_i, sg1_i;
  logic [RW-1:0] a_r, b_r, c_r;
  logic          a_in, b_in, c_in;

  assign tx_in  = tx_v && ({1'b0, tx_slot} < 9'(NUM_ENI));
  assign ra_in  = ra_v && ({1'b0, ra_slot} < 9'(NUM_ENI));
  assign rb_in  = rb_v && ({1'b0, rb_slot} < 9'(NUM_ENI));
  assign sg0_in = sg_v[0] && ({1'b0, sg_slot[7:0]} < 9'(NUM_ENI));
  assign sg1_in = sg_v[1] && ({1'b0, sg_slot[15:8]} < 9'(NUM_ENI));
  assign tx_s   = SW'(tx_slot);
  assign ra_s   = SW'(ra_slot);
  assign rb_s   = SW'(rb_slot);
  assign sg0_s  = SW'(sg_slot[7:0]);
  assign sg1_s  = SW'(sg_slot[15:8]);
  assign sg0_i  = {sg0_s, !sg_ingress[0], !sg_allowed[0]};
  assign sg1_i  = {sg1_s, !sg_ingress[1], !sg_allowed[1]};
  assign a_in   = a_drop && ({1'b0, a_reason} < 5'(NR));
  assign b_in   = b_drop && ({1'b0, b_reason} < 5'(NR));
  assign a_r    = RW'(a_reason);
  assign b_r    = RW'(b_reason);
  assign c_in   = c_drop && ({1'b0, c_reason} < 5'(NR));
  assign c_r    = RW'(c_reason);

  // One read-modify-write per bank and cycle.
  always_ff @(posedge clk) begin
    if (!clear) begin
      if (a_in) drop_a_mem[a_r] <= (drop_a_ok_q[a_r] ? drop_a_mem[a_r] : 64'd0) + 64'd1;
      if (b_in) drop_b_mem[b_r] <= (drop_b_ok_q[b_r] ? drop_b_mem[b_r] : 64'd0) + 64'd1;
      if (c_in) drop_c_mem[c_r] <= (drop_c_ok_q[c_r] ? drop_c_mem[c_r] : 64'd0) + 64'd1;
      if (tx_in) begin
        txp_mem[tx_s] <= (tx_ok_q[tx_s] ? txp_mem[tx_s] : 64'd0) + 64'd1;
        txb_mem[tx_s] <= (tx_ok_q[tx_s] ? txb_mem[tx_s] : 64'd0) + 64'(tx_len);
      end
      if (ra_in) begin
        rxp_a_mem[ra_s] <= (rx_a_ok_q[ra_s] ? rxp_a_mem[ra_s] : 64'd0) + 64'd1;
        rxb_a_mem[ra_s] <= (rx_a_ok_q[ra_s] ? rxb_a_mem[ra_s] : 64'd0) + 64'(ra_len);
      end
      if (rb_in) begin
        rxp_b_mem[rb_s] <= (rx_b_ok_q[rb_s] ? rxp_b_mem[rb_s] : 64'd0) + 64'd1;
        rxb_b_mem[rb_s] <= (rx_b_ok_q[rb_s] ? rxb_b_mem[rb_s] : 64'd0) + 64'(rb_len);
      end
      if (sg0_in) sg0_mem[sg0_i] <= (sg0_ok_q[sg0_i] ? sg0_mem[sg0_i] : 64'd0) + 64'd1;
      if (sg1_in) sg1_mem[sg1_i] <= (sg1_ok_q[sg1_i] ? sg1_mem[sg1_i] : 64'd0) + 64'd1;
      if (sg0_in && sg_exceeded[0]) ex0_mem[sg0_s] <= (ex0_ok_q[sg0_s] ? ex0_mem[sg0_s] : 64'd0) + 64'd1;
      if (sg1_in && sg_exceeded[1]) ex1_mem[sg1_s] <= (ex1_ok_q[sg1_s] ? ex1_mem[sg1_s] : 64'd0) + 64'd1;
    end
  end

  // Valid bits: cleared at once, set by the first increment.
  always_ff @(posedge clk) begin
    if (clear) begin
      drop_a_ok_q <= '0;
      drop_b_ok_q <= '0;
      drop_c_ok_q <= '0;
      tx_ok_q     <= '0;
      rx_a_ok_q   <= '0;
      rx_b_ok_q   <= '0;
      sg0_ok_q    <= '0;
      sg1_ok_q    <= '0;
      ex0_ok_q    <= '0;
      ex1_ok_q    <= '0;
    end else begin
      if (a_in)  drop_a_ok_q[a_r] <= 1'b1;
      if (b_in)  drop_b_ok_q[b_r] <= 1'b1;
      if (c_in)  drop_c_ok_q[c_r] <= 1'b1;
      if (tx_in) tx_ok_q[tx_s]    <= 1'b1;
      if (ra_in) rx_a_ok_q[ra_s]  <= 1'b1;
      if (rb_in) rx_b_ok_q[rb_s]  <= 1'b1;
      if (sg0_in) sg0_ok_q[sg0_i] <= 1'b1;
      if (sg1_in) sg1_ok_q[sg1_i] <= 1'b1;
      if (sg0_in && sg_exceeded[0]) ex0_ok_q[sg0_s] <= 1'b1;
      if (sg1_in && sg_exceeded[1]) ex1_ok_q[sg1_s] <= 1'b1;
    end
  end

  // ---------------------------------------------------------------- CSR windows
  logic        in_drop, in_eni, in_sg;
  logic [15:0] sg_off, eni_off;
  logic [10:0] sg_idx;
  logic [4:0]  drop_idx;
  logic [9:0]  eni_idx;
  logic [63:0] sel;
  logic [SW-1:0] e_s, g_s;
  logic [RW-1:0] d_r;
  logic [SW+1:0] g_i;
  logic [31:0]   hi_latch_q;

  assign eni_off  = csr_addr - nitro_regs_pkg::ADDR_ENI_COUNT;
  assign in_drop  = (csr_addr >= nitro_regs_pkg::ADDR_DROP_COUNT)
                 && (csr_addr < nitro_regs_pkg::ADDR_DROP_COUNT + 16'(nitro_regs_pkg::DROP_COUNT_COUNT * 8));
  assign in_eni   = (csr_addr >= nitro_regs_pkg::ADDR_ENI_COUNT)
                 && (csr_addr < nitro_regs_pkg::ADDR_ENI_COUNT + 16'(nitro_regs_pkg::ENI_COUNT_COUNT * 8));
  assign sg_off   = csr_addr - nitro_regs_pkg::ADDR_ENI_SG_COUNT;
  assign in_sg    = (csr_addr >= nitro_regs_pkg::ADDR_ENI_SG_COUNT)
                 && (32'(csr_addr) < 32'(nitro_regs_pkg::ADDR_ENI_SG_COUNT) + 32'(nitro_regs_pkg::ENI_SG_COUNT_COUNT * 8));
  assign sg_idx   = sg_off[13:3];
  assign drop_idx = 5'(csr_addr[7:3]);
  assign eni_idx  = eni_off[12:3];
  assign e_s      = SW'(eni_idx[9:2]);
  assign g_s      = SW'(sg_idx[10:3]);
  assign g_i      = {g_s, sg_idx[1:0]};
  assign d_r      = RW'(drop_idx);

  // The addressed counter: the sum of its banks (an invalid entry is 0).
  always_comb begin
    sel = '0;
    if (in_drop && drop_idx < 5'(NR)) begin
      sel = (drop_a_ok_q[d_r] ? drop_a_mem[d_r] : 64'd0) + (drop_b_ok_q[d_r] ? drop_b_mem[d_r] : 64'd0)
          + (drop_c_ok_q[d_r] ? drop_c_mem[d_r] : 64'd0);
    end
    if (in_eni && {1'b0, eni_idx[9:2]} < 9'(NUM_ENI)) begin
      unique case (eni_idx[1:0])
        2'd0:    sel = tx_ok_q[e_s] ? txp_mem[e_s] : 64'd0;
        2'd1:    sel = tx_ok_q[e_s] ? txb_mem[e_s] : 64'd0;
        2'd2:    sel = (rx_a_ok_q[e_s] ? rxp_a_mem[e_s] : 64'd0) + (rx_b_ok_q[e_s] ? rxp_b_mem[e_s] : 64'd0);
        default: sel = (rx_a_ok_q[e_s] ? rxb_a_mem[e_s] : 64'd0) + (rx_b_ok_q[e_s] ? rxb_b_mem[e_s] : 64'd0);
      endcase
    end
    if (in_sg && {1'b0, sg_idx[10:3]} < 9'(NUM_ENI)) begin
      if (!sg_idx[2]) begin
        sel = (sg0_ok_q[g_i] ? sg0_mem[g_i] : 64'd0) + (sg1_ok_q[g_i] ? sg1_mem[g_i] : 64'd0);
      end else if (sg_idx[1:0] == 2'd0) begin
        sel = (ex0_ok_q[g_s] ? ex0_mem[g_s] : 64'd0) + (ex1_ok_q[g_s] ? ex1_mem[g_s] : 64'd0);
      end
    end
  end

  always_comb begin
    csr_rd = '0;
    if (in_drop || in_eni || in_sg) csr_rd = csr_addr[2] ? hi_latch_q : sel[31:0];
  end

  always_ff @(posedge clk) begin
    if (rst) begin
      hi_latch_q <= '0;
    end else if (csr_valid && !csr_write && (in_drop || in_eni || in_sg) && !csr_addr[2]) begin
      hi_latch_q <= sel[63:32];
    end
  end

  logic unused_addr;
  assign unused_addr = ^{csr_addr[1:0], eni_off[15:13], eni_off[2:0], sg_off[15:14], sg_off[2:0], csr_wdata[31:1]};

endmodule
