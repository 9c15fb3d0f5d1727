// nitro_tx_editor: streams the buffered TX frames out according to their decisions, one beat
// per cycle. Pops a decision at the first beat of each frame.
//   drop : consume the frame's beats, emit nothing
//   host : local delivery on the host output; beat 0 replaced by the decision's beat (new MACs)
//   arp  : one 42-byte beat (the reply built by the lookup) on the host output, rest discarded
//   net  : encapsulation on the network output; out beat 0 = decision beat (outer header +
//          inner bytes 0..13), out beat k = in beat k-1 bytes 14..63 ++ in beat k bytes 0..13,
//          plus one tail beat when the 50 added bytes spill past the last input beat.
// Both outputs are registered (valid/ready).
module nitro_tx_editor #(
  parameter int DATA_WIDTH = 512  // bits per beat (only 512 is supported)
) (
  input  logic                    clk,
  input  logic                    rst,           // synchronous, active high
  // Buffered beats
  input  logic [DATA_WIDTH-1:0]   s_axis_tdata,
  input  logic                    s_axis_tlast,
  input  logic                    s_axis_tvalid,
  output logic                    s_axis_tready,
  // Decisions: a txDec (nitro_regs_pkg TX_DEC_*)
  input  logic [nitro_regs_pkg::TX_DEC_WIDTH-1:0] dec_data,
  input  logic                    dec_valid,
  output logic                    dec_ready,
  // Host output
  output logic [DATA_WIDTH-1:0]   m_axis_host_tdata,
  output logic [DATA_WIDTH/8-1:0] m_axis_host_tkeep,
  output logic                    m_axis_host_tvalid,
  input  logic                    m_axis_host_tready,
  output logic                    m_axis_host_tlast,
  output logic [7:0]              m_axis_host_tuser,
  // Network output
  output logic [DATA_WIDTH-1:0]   m_axis_net_tdata,
  output logic [DATA_WIDTH/8-1:0] m_axis_net_tkeep,
  output logic                    m_axis_net_tvalid,
  input  logic                    m_axis_net_tready,
  output logic                    m_axis_net_tlast,
  // Status
  output logic                    busy
);

  if (DATA_WIDTH != 512) begin : g_chk_width
    $error("nitro_tx_editor: DATA_WIDTH must be 512");
  end

  localparam logic [1:0] K_DROP = 2'd0, K_HOST = 2'd1, K_ARP = 2'd2, K_NET = 2'd3;

  // tkeep of a beat with rem bytes left: the low min(rem, 64) bits set
  function automatic logic [63:0] keep_of(input logic [15:0] rem);
    keep_of = (rem >= 16'd64) ? {64{1'b1}} : ~({64{1'b1}} << rem[5:0]);
  endfunction

  logic [1:0]   d_kind;
  logic [7:0]   d_user;
  logic [15:0]  d_len;
  logic [511:0] d_beat0;
  assign d_kind  = dec_data[nitro_regs_pkg::TX_DEC_KIND_LSB +: nitro_regs_pkg::TX_DEC_KIND_WIDTH];
  assign d_user  = dec_data[nitro_regs_pkg::TX_DEC_TUSER_LSB +: nitro_regs_pkg::TX_DEC_TUSER_WIDTH];
  assign d_len   = dec_data[nitro_regs_pkg::TX_DEC_OUT_LEN_LSB +: nitro_regs_pkg::TX_DEC_OUT_LEN_WIDTH];
  assign d_beat0 = dec_data[nitro_regs_pkg::TX_DEC_BEAT0_LSB +: nitro_regs_pkg::TX_DEC_BEAT0_WIDTH];

  logic         active_q, tail_q;
  logic [1:0]   kind_q;
  logic [7:0]   user_q;
  logic [15:0]  rem_q;          // output bytes still to send
  logic [399:0] prev_q;         // bytes 14..63 of the previous input beat

  logic         ho_v_q, no_v_q;
  logic [511:0] ho_d_q, no_d_q;
  logic [63:0]  ho_k_q, no_k_q;
  logic         ho_l_q, no_l_q;
  logic [7:0]   ho_u_q;

  logic ho_free, no_free;
  assign ho_free = !ho_v_q || m_axis_host_tready;
  assign no_free = !no_v_q || m_axis_net_tready;

  logic        first, can;
  logic [1:0]  kind;
  logic [15:0] rem;
  logic [7:0]  user;

  assign first = !active_q;
  assign kind  = first ? d_kind : kind_q;
  assign rem   = first ? d_len  : rem_q;
  assign user  = first ? d_user : user_q;

  // Can the head beat be consumed this cycle?
  always_comb begin
    can = 1'b0;
    if (!tail_q && s_axis_tvalid && (active_q || dec_valid)) begin
      unique case (kind)
        K_DROP: can = 1'b1;
        K_HOST: can = ho_free;
        K_ARP:  can = first ? ho_free : 1'b1;
        K_NET:  can = no_free;
        default: can = 1'b1;
      endcase
    end
  end

  assign s_axis_tready  = can;
  assign dec_ready = can && first;
  assign busy      = active_q || tail_q || ho_v_q || no_v_q;

  logic [15:0] rem_next;
  assign rem_next = (rem > 16'd64) ? rem - 16'd64 : 16'd0;

  always_ff @(posedge clk) begin
    if (rst) begin
      active_q <= 1'b0;
      tail_q   <= 1'b0;
      ho_v_q   <= 1'b0;
      no_v_q   <= 1'b0;
    end else begin
      if (m_axis_host_tready) ho_v_q <= 1'b0;
      if (m_axis_net_tready)  no_v_q <= 1'b0;

      if (tail_q && no_free) begin
        no_v_q <= 1'b1;
        no_d_q <= {112'h0, prev_q};
        no_k_q <= keep_of(rem_q);
        no_l_q <= 1'b1;
        tail_q <= 1'b0;
      end

      if (can) begin
        active_q <= !s_axis_tlast;
        kind_q   <= kind;
        user_q   <= user;
        rem_q    <= rem_next;
        prev_q   <= s_axis_tdata[511:112];
        unique case (kind)
          K_HOST: begin
            ho_v_q <= 1'b1;
            ho_d_q <= first ? d_beat0 : s_axis_tdata;
            ho_k_q <= keep_of(rem);
            ho_l_q <= s_axis_tlast;
            ho_u_q <= user;
          end
          K_ARP: begin
            if (first) begin
              ho_v_q <= 1'b1;
              ho_d_q <= d_beat0;
              ho_k_q <= keep_of(16'd42);
              ho_l_q <= 1'b1;
              ho_u_q <= user;
            end
          end
          K_NET: begin
            no_v_q <= 1'b1;
            no_d_q <= first ? d_beat0 : {s_axis_tdata[111:0], prev_q};
            no_k_q <= keep_of(rem);
            no_l_q <= (rem <= 16'd64);
            if (s_axis_tlast && rem > 16'd64) tail_q <= 1'b1;
          end
          default: ;
        endcase
      end
    end
  end

  assign m_axis_host_tdata  = ho_d_q;
  assign m_axis_host_tkeep  = ho_k_q;
  assign m_axis_host_tvalid = ho_v_q;
  assign m_axis_host_tlast  = ho_l_q;
  assign m_axis_host_tuser  = ho_u_q;
  assign m_axis_net_tdata   = no_d_q;
  assign m_axis_net_tkeep   = no_k_q;
  assign m_axis_net_tvalid  = no_v_q;
  assign m_axis_net_tlast   = no_l_q;

endmodule
