// nitro_counters: 64-bit drop counters (per reason) and ENI counters (per slot: txPackets,
// txBytes, rxPackets, rxBytes), with their CSR windows DROP_COUNT and ENI_COUNT. Reading a
// low word latches the counter's high word, which the following read of offset + 4 returns
// (one latch shared by the windows). COUNTER_CLEAR bit 0 zeroes everything.
// ENI_SG_COUNT: per slot sgAllowedIn, sgDeniedIn, sgAllowedOut, sgDeniedOut,
// conntrackAllowanceExceeded (EniCounter 4..8 at slot * 8 + counter - 4), up to two events a
// cycle from the security group stage (nitro_conntrack: the two ops of a TX-local record).
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

  if (NUM_ENI < 2 || NUM_ENI > 256) begin : g_chk_eni
    $error("nitro_counters: NUM_ENI must be in 2..256");
  end
  if (NR > 16) begin : g_chk_nr
    $error("nitro_counters: at most 16 drop reasons");
  end

  logic [NR*64-1:0]      drop_q;
  logic [NUM_ENI*64-1:0] txp_q, txb_q, rxp_q, rxb_q;
  logic [5*NUM_ENI*64-1:0] sgc_q;     // counter (EniCounter - 4) c of slot s at 64 * (c * NUM_ENI + s)
  logic [31:0]           hi_latch_q;
  logic                  clear;

  assign clear = csr_valid && csr_write && (csr_addr == nitro_regs_pkg::ADDR_COUNTER_CLEAR) && csr_wdata[0];

  always_ff @(posedge clk) begin
    if (rst || clear) begin
      drop_q <= '0;
      txp_q  <= '0;
      txb_q  <= '0;
      rxp_q  <= '0;
      rxb_q  <= '0;
      for (int i = 0; i < 5 * NUM_ENI; i++) sgc_q[64*i +: 64] <= 64'd0;
    end else begin
      for (int s = 0; s < NUM_ENI; s++) begin
        for (int c = 0; c < 5; c++) begin
          logic [1:0] inc;
          for (int e = 0; e < 2; e++) begin
            inc[e] = sg_v[e] && sg_slot[8*e +: 8] == 8'(s)
                  && ((c == 0 && sg_ingress[e] && sg_allowed[e]) || (c == 1 && sg_ingress[e] && !sg_allowed[e])
                   || (c == 2 && !sg_ingress[e] && sg_allowed[e]) || (c == 3 && !sg_ingress[e] && !sg_allowed[e])
                   || (c == 4 && sg_exceeded[e]));
          end
          if (inc != 2'b00) begin
            sgc_q[64*(c*NUM_ENI+s) +: 64] <= sgc_q[64*(c*NUM_ENI+s) +: 64] + 64'(inc[0]) + 64'(inc[1]);
          end
        end
      end
      for (int r = 0; r < NR; r++) begin
        drop_q[64*r +: 64] <= drop_q[64*r +: 64]
                            + 64'(a_drop && a_reason == 4'(r)) + 64'(b_drop && b_reason == 4'(r));
      end
      for (int s = 0; s < NUM_ENI; s++) begin
        if (tx_v && tx_slot == 8'(s)) begin
          txp_q[64*s +: 64] <= txp_q[64*s +: 64] + 64'd1;
          txb_q[64*s +: 64] <= txb_q[64*s +: 64] + 64'(tx_len);
        end
        rxp_q[64*s +: 64] <= rxp_q[64*s +: 64]
                           + 64'(ra_v && ra_slot == 8'(s)) + 64'(rb_v && rb_slot == 8'(s));
        rxb_q[64*s +: 64] <= rxb_q[64*s +: 64]
                           + ((ra_v && ra_slot == 8'(s)) ? 64'(ra_len) : 64'd0)
                           + ((rb_v && rb_slot == 8'(s)) ? 64'(rb_len) : 64'd0);
      end
    end
  end

  // CSR windows
  logic        in_drop, in_eni, in_sg;
  logic [15:0] sg_off;
  logic [10:0] sg_idx;
  logic [4:0]  drop_idx;
  logic [9:0]  eni_idx;
  logic [63:0] sel;
  logic [15:0] eni_off;

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

  always_comb begin
    sel = '0;
    if (in_drop) begin
      for (int r = 0; r < NR; r++) begin
        if (drop_idx == 5'(r)) sel = drop_q[64*r +: 64];
      end
    end
    if (in_eni) begin
      for (int s = 0; s < NUM_ENI; s++) begin
        if (eni_idx[9:2] == 8'(s)) begin
          unique case (eni_idx[1:0])
            2'd0:    sel = txp_q[64*s +: 64];
            2'd1:    sel = txb_q[64*s +: 64];
            2'd2:    sel = rxp_q[64*s +: 64];
            default: sel = rxb_q[64*s +: 64];
          endcase
        end
      end
    end
    if (in_sg) begin
      for (int s = 0; s < NUM_ENI; s++) begin
        if (sg_idx[10:3] == 8'(s)) begin
          for (int c = 0; c < 5; c++) begin
            if (sg_idx[2:0] == 3'(c)) sel = sgc_q[64*(c*NUM_ENI+s) +: 64];
          end
        end
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
