// nitro_rx_editor: streams the buffered RX frames out according to their decisions, one beat
// per cycle. Decapsulation: out beat k = in beat k bytes 50..63 ++ in beat k+1 bytes 0..49,
// truncated to inner_len (outer padding is discarded); out beat 0 gets the ENI's MAC as
// destination. Input beat 0 produces no output; a last output beat that needs no byte of a
// following input beat is held in a tail register and sent while the next frame's beat 0 is
// consumed, so a frame of N input beats takes N cycles.
module nitro_rx_editor #(
  parameter int DATA_WIDTH = 512  // bits per beat (only 512 is supported)
) (
  input  logic                    clk,
  input  logic                    rst,           // synchronous, active high
  // Buffered beats
  input  logic [DATA_WIDTH-1:0]   s_axis_tdata,
  input  logic                    s_axis_tlast,
  input  logic                    s_axis_tvalid,
  output logic                    s_axis_tready,
  // Decisions: an rxDec (nitro_regs_pkg RX_DEC_*)
  input  logic [nitro_regs_pkg::RX_DEC_WIDTH-1:0] dec_data,
  input  logic                    dec_valid,
  output logic                    dec_ready,
  // Host output
  output logic [DATA_WIDTH-1:0]   m_axis_host_tdata,
  output logic [DATA_WIDTH/8-1:0] m_axis_host_tkeep,
  output logic                    m_axis_host_tvalid,
  input  logic                    m_axis_host_tready,
  output logic                    m_axis_host_tlast,
  output logic [7:0]              m_axis_host_tuser,
  // Status
  output logic                    busy
);

  if (DATA_WIDTH != 512) begin : g_chk_width
    $error("nitro_rx_editor: DATA_WIDTH must be 512");
  end

  // tkeep of a beat with rem bytes left: the low min(rem, 64) bits set
  function automatic logic [63:0] keep_of(input logic [15:0] rem);
    keep_of = (rem >= 16'd64) ? {64{1'b1}} : ~({64{1'b1}} << rem[5:0]);
  endfunction
  function automatic logic [47:0] sw48(input logic [47:0] v);
    sw48 = {v[7:0], v[15:8], v[23:16], v[31:24], v[39:32], v[47:40]};
  endfunction

  logic         d_drop;
  logic [7:0]   d_slot;
  logic [15:0]  d_len;
  logic [47:0]  d_mac;
  assign d_drop = dec_data[nitro_regs_pkg::RX_DEC_DROP_LSB];
  assign d_slot = dec_data[nitro_regs_pkg::RX_DEC_SLOT_LSB +: nitro_regs_pkg::RX_DEC_SLOT_WIDTH];
  assign d_len  = dec_data[nitro_regs_pkg::RX_DEC_INNER_LEN_LSB +: nitro_regs_pkg::RX_DEC_INNER_LEN_WIDTH];
  assign d_mac  = dec_data[nitro_regs_pkg::RX_DEC_MAC_LSB +: nitro_regs_pkg::RX_DEC_MAC_WIDTH];

  logic         active_q, drop_q, ofirst_q;
  logic [7:0]   slot_q;
  logic [15:0]  rem_q;
  logic [47:0]  mac_q;
  logic [111:0] prev_q;         // bytes 50..63 of the previous input beat
  // Tail: a pending last output beat (only bytes 0..13 carry data)
  logic         tail_q;
  logic [111:0] tail_d_q;
  logic [15:0]  tail_rem_q;
  logic [7:0]   tail_u_q;
  // Output register
  logic         ho_v_q;
  logic [511:0] ho_d_q;
  logic [63:0]  ho_k_q;
  logic         ho_l_q;
  logic [7:0]   ho_u_q;

  logic out_free, tail_go, first, drop, needs_out, can;
  assign out_free  = !ho_v_q || m_axis_host_tready;
  assign tail_go   = tail_q && out_free;
  assign first     = !active_q;
  assign drop      = first ? d_drop : drop_q;
  // A beat after the first one produces an output beat while output bytes remain.
  assign needs_out = !first && !drop_q && (rem_q != 16'd0);

  always_comb begin
    can = 1'b0;
    if (s_axis_tvalid && (active_q || dec_valid)) begin
      if (!needs_out) begin
        // No output from this beat; a new frame's beat 0 must not overwrite a pending tail's
        // frame state, but the tail keeps its own copy, so only the output slot matters.
        can = 1'b1;
      end else begin
        can = out_free && !tail_q;
      end
    end
  end

  assign s_axis_tready  = can;
  assign dec_ready = can && first;
  assign busy      = active_q || tail_q || ho_v_q;

  logic [511:0] obeat;
  always_comb begin
    obeat = {s_axis_tdata[399:0], prev_q};
    if (ofirst_q) obeat[47:0] = sw48(mac_q);
  end

  always_ff @(posedge clk) begin
    if (rst) begin
      active_q <= 1'b0;
      tail_q   <= 1'b0;
      ho_v_q   <= 1'b0;
    end else begin
      if (m_axis_host_tready) ho_v_q <= 1'b0;

      if (tail_go) begin
        ho_v_q <= 1'b1;
        ho_d_q <= {400'h0, tail_d_q};
        ho_k_q <= keep_of(tail_rem_q);
        ho_l_q <= 1'b1;
        ho_u_q <= tail_u_q;
        tail_q <= 1'b0;
      end

      if (can) begin
        active_q <= !s_axis_tlast;
        prev_q   <= s_axis_tdata[511:400];
        if (first) begin
          drop_q   <= d_drop;
          slot_q   <= d_slot;
          mac_q    <= d_mac;
          rem_q    <= d_len;
          ofirst_q <= 1'b1;
        end else if (needs_out) begin
          ho_v_q   <= 1'b1;
          ho_d_q   <= obeat;
          ho_k_q   <= keep_of(rem_q);
          ho_l_q   <= (rem_q <= 16'd64);
          ho_u_q   <= slot_q;
          ofirst_q <= 1'b0;
          rem_q    <= (rem_q > 16'd64) ? rem_q - 16'd64 : 16'd0;
          if (s_axis_tlast && rem_q > 16'd64) begin
            tail_q     <= 1'b1;
            tail_d_q   <= s_axis_tdata[511:400];
            tail_rem_q <= rem_q - 16'd64;
            tail_u_q   <= slot_q;
          end
        end
        // A frame whose only input beat is beat 0 cannot pass (inner frames start at byte
        // 50 and are at least 34 bytes); a passing frame always has a second beat.
        if (first && s_axis_tlast && !d_drop) begin
          rem_q <= 16'd0;
        end
      end
    end
  end

  assign m_axis_host_tdata  = ho_d_q;
  assign m_axis_host_tkeep  = ho_k_q;
  assign m_axis_host_tvalid = ho_v_q;
  assign m_axis_host_tlast  = ho_l_q;
  assign m_axis_host_tuser  = ho_u_q;

  logic unused_drop;
  assign unused_drop = drop;

endmodule
