// nitro_rx_lookup: RX decision pipeline, one header every two cycles (two mapping lookups share
// port B of the mapping ways), fixed latency, no internal stalls.
//   pop : header FIFO head (only when R1 is empty)          -> R1
//   R1  : outer/inner header checks (spec RX 0-9), both IPv4 checksums, CRCs of the
//         destination and source keys, edge compare, inner filter fields (nitro_l4_fields) -> R2
//   R2  : port B address = destination buckets               -> R3
//   R3  : port B address = source buckets; compare every slot of the destination buckets -> R4
//   R4  : compare every slot of the source buckets, ENI check of the local slot, decision of
//         spec RX 0-11 -> R5
//   R5  : starts the ingress ACL of the receiver L (docs/card-filtering.md RX 12, nitro_nacl);
//         the record waits (nitro_delay) for its result      -> RC
//   RC  : ACL verdict, the ingress security group op at L; push the record {payload, packet,
//         op} to the connection tracking stage (nitro_conntrack), which makes the final decision.
// Latency pop -> record: 5 + 11 = 16 cycles at the default parameters.
module nitro_rx_lookup #(
  parameter int NUM_ENI            = 64,    // ENI slots
  parameter int MAP_WAY_DEPTH_LOG2 = 15,    // entries per way (log2)
  parameter int MAP_BUCKET_SLOTS_LOG2 = 2,  // entries per bucket (log2)
  parameter int IP_MTU             = 9001,  // inner IPv4 MTU
  parameter int DEC_SPACE_W        = 6,     // width of the decision FIFO free-space count (32 entries)
  parameter int MAP_W              = 146,   // mapping entry bits
  parameter int NUM_NACL           = 16,    // network ACLs
  parameter int NACL_RULES         = 40,    // rules per ACL and direction
  parameter int REC_W              = nitro_regs_pkg::CT_REC_WIDTH  // record to nitro_conntrack
) (
  input  logic                          clk,
  input  logic                          rst,           // synchronous, active high
  // Header records
  input  logic [783:0]                  hdr_data,      // frame bytes 0..97 (0 past the end)
  input  logic [15:0]                   hdr_len,
  input  logic                          hdr_valid,
  output logic                          hdr_ready,
  // Flow control
  input  logic                          freeze,
  input  logic [DEC_SPACE_W-1:0]        dec_space,
  output logic                          busy,
  // Card registers
  input  logic [31:0]                   underlay_ip,
  // Mapping lookup (port B of both ways): bucket address, whole bucket the cycle after
  output logic [MAP_WAY_DEPTH_LOG2-MAP_BUCKET_SLOTS_LOG2-1:0] map_addr0,
  output logic [MAP_WAY_DEPTH_LOG2-MAP_BUCKET_SLOTS_LOG2-1:0] map_addr1,
  input  logic [(2**MAP_BUCKET_SLOTS_LOG2)*MAP_W-1:0]        map_data0,
  input  logic [(2**MAP_BUCKET_SLOTS_LOG2)*MAP_W-1:0]        map_data1,
  // ENI read of the destination slot
  output logic [7:0]                    eni_slot,
  input  logic                          eni_valid,
  input  logic [23:0]                   eni_vni,
  input  logic [31:0]                   eni_ip,
  input  logic [47:0]                   eni_mac,
  input  logic [7:0]                    eni_nacl,
  input  logic [31:0]                   eni_subnet,
  input  logic [5:0]                    eni_sublen,
  input  logic                          eni_untracked,
  input  logic [15:0]                   eni_sg_base,     // ingress rules
  input  logic [15:0]                   eni_sg_count,
  // Network ACL rule writes (table engine)
  input  logic                          nacl_wr,
  input  logic [31:0]                   flt_wr_index,
  input  logic [255:0]                  flt_wr_data,
  input  logic                          flt_rd_mode,
  input  logic [31:0]                   flt_rd_index,
  // Edge check
  output logic [23:0]                   edge_vni,
  output logic [31:0]                   edge_ip,
  input  logic                          edge_hit,
  // Record: a ctRec whose payload is an rxPay, zero-extended (nitro_regs_pkg, docs/registers.md)
  output logic [REC_W-1:0]              rec_data,
  output logic                          rec_wr
);

  localparam int L         = MAP_WAY_DEPTH_LOG2 - MAP_BUCKET_SLOTS_LOG2;  // bucket address bits
  localparam int MAX_FRAME = 14 + IP_MTU;

  if (IP_MTU < 68 || IP_MTU > 16000) begin : g_chk_mtu
    $error("nitro_rx_lookup: IP_MTU must be in 68..16000");
  end
  if (NUM_ENI < 2 || NUM_ENI > 256) begin : g_chk_eni
    $error("nitro_rx_lookup: NUM_ENI must be in 2..256");
  end
  if (DEC_SPACE_W < 6) begin : g_chk_space
    $error("nitro_rx_lookup: decision FIFO must hold at least 32 entries (the pipeline is deep)");
  end
  if (REC_W != nitro_regs_pkg::CT_REC_WIDTH) begin : g_chk_rec
    $error("nitro_rx_lookup: REC_W must be the ctRec record's width (nitro_regs_pkg CT_REC_WIDTH)");
  end

  localparam int NA_LAT = (NACL_RULES + 3) / 4 + 1;     // L's ACL: in at R5, out at RC
  localparam int NIDX_W = $clog2(2 * NUM_NACL * NACL_RULES);

  // ---------------------------------------------------------------- admission
  logic r1_v_q, r2_v_q, r3_v_q, r4_v_q, r5_v_q, rc_v;
  logic [DEC_SPACE_W-1:0] inflight_q;
  logic pop;

  assign pop       = hdr_valid && !freeze && !r1_v_q && (dec_space > inflight_q);
  assign hdr_ready = pop;
  assign busy      = inflight_q != '0;

  always_ff @(posedge clk) begin
    if (rst) inflight_q <= '0;
    else     inflight_q <= inflight_q + DEC_SPACE_W'(pop) - DEC_SPACE_W'(rc_v);
  end

  // ---------------------------------------------------------------- R1
  logic [783:0] r1_hdr_q;
  logic [15:0]  r1_len_q;

  always_ff @(posedge clk) begin
    if (rst) r1_v_q <= 1'b0;
    else     r1_v_q <= pop;
    if (pop) begin
      r1_hdr_q <= hdr_data;
      r1_len_q <= hdr_len;
    end
  end

  logic [15:0] tl;
  logic [16:0] inner_len;       // tl - 36, two's complement
  logic        oip_bad, oip_unsup, iip_bad, iip_unsup;
  logic [23:0] vni;
  logic [31:0] osrc, isrc, idst;
  logic        pre_drop;
  logic [3:0]  pre_reason;
  logic [31:0] crc_d_c, crc_d_i, crc_s_c, crc_s_i;

  assign tl        = `NB16(r1_hdr_q, 16);
  assign inner_len = 17'(tl) - 17'd36;
  assign vni       = `NB24(r1_hdr_q, 46);
  assign osrc      = `NB32(r1_hdr_q, 26);
  assign isrc      = `NB32(r1_hdr_q, 76);
  assign idst      = `NB32(r1_hdr_q, 80);

  // IPv4 header checks (outer: spec RX 2; inner: spec RX 8 against inner_len)
  nitro_ipv4_check u_outer_check (
    .ip          (r1_hdr_q[8*14 +: 160]),
    .frame_len   (17'(r1_len_q)),
    .bad         (oip_bad),
    .unsupported (oip_unsup)
  );
  nitro_ipv4_check u_inner_check (
    .ip          (r1_hdr_q[8*64 +: 160]),
    .frame_len   (inner_len),
    .bad         (iip_bad),
    .unsupported (iip_unsup)
  );

  always_comb begin
    pre_drop   = 1'b1;
    pre_reason = 4'(nitro_regs_pkg::DROP_MALFORMED);
    if (r1_len_q > 16'(MAX_FRAME + 50))                pre_reason = 4'(nitro_regs_pkg::DROP_MTU_EXCEEDED);
    else if (r1_len_q < 16'd14)                        pre_reason = 4'(nitro_regs_pkg::DROP_MALFORMED);
    else if (`NB16(r1_hdr_q, 12) != 16'h0800)            pre_reason = 4'(nitro_regs_pkg::DROP_UNSUPPORTED);
    else if (oip_bad)                                  pre_reason = oip_unsup ? 4'(nitro_regs_pkg::DROP_UNSUPPORTED)
                                                                              : 4'(nitro_regs_pkg::DROP_MALFORMED);
    else if (`NB32(r1_hdr_q, 30) != underlay_ip)         pre_reason = 4'(nitro_regs_pkg::DROP_NOT_ON_HOST);
    else if (`NB8(r1_hdr_q, 23) != 8'd17)                pre_reason = 4'(nitro_regs_pkg::DROP_UNSUPPORTED);
    else if (r1_len_q < 16'd42)                        pre_reason = 4'(nitro_regs_pkg::DROP_MALFORMED);
    else if (`NB16(r1_hdr_q, 36) != 16'd4789)            pre_reason = 4'(nitro_regs_pkg::DROP_UNSUPPORTED);
    else if (`NB16(r1_hdr_q, 38) != tl - 16'd20)         pre_reason = 4'(nitro_regs_pkg::DROP_MALFORMED);
    else if (r1_len_q < 16'd50)                        pre_reason = 4'(nitro_regs_pkg::DROP_MALFORMED);
    else if (`NB8(r1_hdr_q, 42) != 8'h08)                pre_reason = 4'(nitro_regs_pkg::DROP_MALFORMED);
    else if (!inner_len[16] && inner_len > 17'(MAX_FRAME))
                                                       pre_reason = 4'(nitro_regs_pkg::DROP_MTU_EXCEEDED);
    else if (inner_len[16] || inner_len < 17'd14)      pre_reason = 4'(nitro_regs_pkg::DROP_MALFORMED);
    else if (`NB16(r1_hdr_q, 62) != 16'h0800)            pre_reason = 4'(nitro_regs_pkg::DROP_UNSUPPORTED);
    else if (iip_bad)                                  pre_reason = iip_unsup ? 4'(nitro_regs_pkg::DROP_UNSUPPORTED)
                                                                              : 4'(nitro_regs_pkg::DROP_MALFORMED);
    else if (`NB8(r1_hdr_q, 72) == 8'd0)                 pre_reason = 4'(nitro_regs_pkg::DROP_TTL_EXPIRED);
    else                                               pre_drop   = 1'b0;
  end

  nitro_crc #(.NBYTES(7), .POLY(32'h82F63B78)) u_crc_d_c (.en (r1_v_q), .msg ({vni, idst}), .crc (crc_d_c));
  nitro_crc #(.NBYTES(7), .POLY(32'hEDB88320)) u_crc_d_i (.en (r1_v_q), .msg ({vni, idst}), .crc (crc_d_i));
  nitro_crc #(.NBYTES(7), .POLY(32'h82F63B78)) u_crc_s_c (.en (r1_v_q), .msg ({vni, isrc}), .crc (crc_s_c));
  nitro_crc #(.NBYTES(7), .POLY(32'hEDB88320)) u_crc_s_i (.en (r1_v_q), .msg ({vni, isrc}), .crc (crc_s_i));

  assign edge_vni = vni;
  assign edge_ip  = osrc;

  // Inner filter fields (docs/card-filtering.md "Definitions"), inner byte k = frame byte 50 + k
  logic [15:0]  ifrag, ilen;
  logic [7:0]   iproto;
  logic [nitro_regs_pkg::CT_PKT_WIDTH-1:0] pkt;
  assign ilen      = inner_len[15:0];
  assign ifrag     = `NB16(r1_hdr_q, 70);
  assign iproto    = `NB8(r1_hdr_q, 73);
  nitro_l4_fields u_l4 (
    .len   (ilen),
    .proto (iproto),
    .frag  (ifrag),
    .src   (isrc),
    .dst   (idst),
    .l4    (r1_hdr_q[8*84 +: 112]),
    .pkt   (pkt)
  );

  // ---------------------------------------------------------------- R2
  logic         r2_pre_drop_q, r2_edge_q;
  logic [3:0]   r2_pre_reason_q;
  logic [15:0]  r2_len_q, r2_ilen_q;
  logic [23:0]  r2_vni_q;
  logic [31:0]  r2_osrc_q, r2_isrc_q, r2_idst_q;
  logic [L-1:0] r2_d0_q, r2_d1_q, r2_s0_q, r2_s1_q;
  logic [nitro_regs_pkg::CT_PKT_WIDTH-1:0] r2_pkt_q, r3_pkt_q, r4_pkt_q, r5_pkt_q;

  always_ff @(posedge clk) begin
    r2_pkt_q <= pkt;
    r3_pkt_q <= r2_pkt_q;
    r4_pkt_q <= r3_pkt_q;
    r5_pkt_q <= r4_pkt_q;
  end

  always_ff @(posedge clk) begin
    if (rst) r2_v_q <= 1'b0;
    else     r2_v_q <= r1_v_q;
    r2_pre_drop_q   <= pre_drop;
    r2_pre_reason_q <= pre_reason;
    r2_edge_q       <= edge_hit;
    r2_len_q        <= r1_len_q;
    r2_ilen_q       <= inner_len[15:0];
    r2_vni_q        <= vni;
    r2_osrc_q       <= osrc;
    r2_isrc_q       <= isrc;
    r2_idst_q       <= idst;
    r2_d0_q         <= crc_d_c[L-1:0];
    r2_d1_q         <= crc_d_i[L-1:0];
    r2_s0_q         <= crc_s_c[L-1:0];
    r2_s1_q         <= crc_s_i[L-1:0];
  end

  // ---------------------------------------------------------------- R3
  logic         r3_pre_drop_q, r3_edge_q;
  logic [3:0]   r3_pre_reason_q;
  logic [15:0]  r3_len_q, r3_ilen_q;
  logic [23:0]  r3_vni_q;
  logic [31:0]  r3_osrc_q, r3_isrc_q, r3_idst_q;
  logic [L-1:0] r3_s0_q, r3_s1_q;

  always_ff @(posedge clk) begin
    if (rst) r3_v_q <= 1'b0;
    else     r3_v_q <= r2_v_q;
    r3_pre_drop_q   <= r2_pre_drop_q;
    r3_pre_reason_q <= r2_pre_reason_q;
    r3_edge_q       <= r2_edge_q;
    r3_len_q        <= r2_len_q;
    r3_ilen_q       <= r2_ilen_q;
    r3_vni_q        <= r2_vni_q;
    r3_osrc_q       <= r2_osrc_q;
    r3_isrc_q       <= r2_isrc_q;
    r3_idst_q       <= r2_idst_q;
    r3_s0_q         <= r2_s0_q;
    r3_s1_q         <= r2_s1_q;
  end

  // Headers are admitted two cycles apart, so R2 and R3 never hold one at the same time.
  assign map_addr0 = r2_v_q ? r2_d0_q : r3_s0_q;
  assign map_addr1 = r2_v_q ? r2_d1_q : r3_s1_q;

  // Mapping entries: {mac, underlay_ip, ip, vni, slot, local, valid}. R3 compares the buckets
  // against the destination key, R4 (next cycle, the source buckets) against the source key.
  logic [MAP_W-1:0] d_ent, s_ent;
  logic [47:0] d_mac, s_mac;
  logic [31:0] d_uip, s_uip, d_ip, s_ip;
  logic [23:0] d_vni, s_vni;
  logic [7:0]  d_slot, s_slot;
  logic        d_local, s_local, d_valid, s_valid, dhit, shit;

  nitro_map_match #(.WIDTH(MAP_W), .SLOTS(2 ** MAP_BUCKET_SLOTS_LOG2)) u_match_dst (
    .bucket0 (map_data0),
    .bucket1 (map_data1),
    .vni     (r3_vni_q),
    .ip      (r3_idst_q),
    .hit     (dhit),
    .entry   (d_ent)
  );
  assign {d_mac, d_uip, d_ip, d_vni, d_slot, d_local, d_valid} = d_ent;

  // ---------------------------------------------------------------- R4
  logic         r4_pre_drop_q, r4_edge_q;
  logic [3:0]   r4_pre_reason_q;
  logic [15:0]  r4_len_q, r4_ilen_q;
  logic [23:0]  r4_vni_q;
  logic [31:0]  r4_osrc_q, r4_isrc_q, r4_idst_q;
  logic         r4_dok_q;       // destination hit and local
  logic [7:0]   r4_slot_q;

  always_ff @(posedge clk) begin
    if (rst) r4_v_q <= 1'b0;
    else     r4_v_q <= r3_v_q;
    r4_pre_drop_q   <= r3_pre_drop_q;
    r4_pre_reason_q <= r3_pre_reason_q;
    r4_edge_q       <= r3_edge_q;
    r4_len_q        <= r3_len_q;
    r4_ilen_q       <= r3_ilen_q;
    r4_vni_q        <= r3_vni_q;
    r4_osrc_q       <= r3_osrc_q;
    r4_isrc_q       <= r3_isrc_q;
    r4_idst_q       <= r3_idst_q;
    r4_dok_q        <= dhit && d_local;
    r4_slot_q       <= d_slot;
  end

  logic src_ok, dst_ok;
  nitro_map_match #(.WIDTH(MAP_W), .SLOTS(2 ** MAP_BUCKET_SLOTS_LOG2)) u_match_src (
    .bucket0 (map_data0),
    .bucket1 (map_data1),
    .vni     (r4_vni_q),
    .ip      (r4_isrc_q),
    .hit     (shit),
    .entry   (s_ent)
  );
  assign {s_mac, s_uip, s_ip, s_vni, s_slot, s_local, s_valid} = s_ent;
  assign src_ok   = (shit && s_uip == r4_osrc_q) || r4_edge_q;
  assign eni_slot = r4_slot_q;
  assign dst_ok   = r4_dok_q && eni_valid && eni_vni == r4_vni_q && eni_ip == r4_idst_q;

  logic       drop;
  logic [3:0] reason;
  always_comb begin
    drop   = 1'b1;
    reason = r4_pre_reason_q;
    if (!r4_pre_drop_q) begin
      if (!dst_ok)      reason = 4'(nitro_regs_pkg::DROP_NOT_ON_HOST);
      else if (!src_ok) reason = 4'(nitro_regs_pkg::DROP_SPOOFED_SOURCE);
      else              drop   = 1'b0;
    end
  end

  // ---------------------------------------------------------------- R5
  logic         r5_drop_q;
  logic [3:0]   r5_reason_q;
  logic [15:0]  r5_len_q, r5_ilen_q;
  logic [23:0]  r5_vni_q;
  logic [31:0]  r5_osrc_q, r5_isrc_q, r5_idst_q;
  logic [7:0]   r5_slot_q;
  logic [47:0]  r5_mac_q;
  logic [7:0]   r5_l_nacl_q;
  logic [31:0]  r5_l_subnet_q;
  logic [5:0]   r5_l_sublen_q;
  logic         r5_l_untracked_q;
  logic [15:0]  r5_l_sgb_q, r5_l_sgc_q;

  always_ff @(posedge clk) begin
    if (rst) r5_v_q <= 1'b0;
    else     r5_v_q <= r4_v_q;
    r5_drop_q   <= drop;
    r5_reason_q <= reason;
    r5_len_q    <= r4_len_q;
    r5_ilen_q   <= r4_ilen_q;
    r5_vni_q    <= r4_vni_q;
    r5_osrc_q   <= r4_osrc_q;
    r5_isrc_q   <= r4_isrc_q;
    r5_idst_q   <= r4_idst_q;
    r5_slot_q   <= r4_slot_q;
    r5_mac_q    <= eni_mac;
    r5_l_nacl_q      <= eni_nacl;
    r5_l_subnet_q    <= eni_subnet;
    r5_l_sublen_q    <= eni_sublen;
    r5_l_untracked_q <= eni_untracked;
    r5_l_sgb_q       <= eni_sg_base;
    r5_l_sgc_q       <= eni_sg_count;
  end

  // ---------------------------------------------------------------- R5: L's ingress ACL
  logic        l_skip, l_bad, nl_valid, nl_allow;
  logic [112:0] nacl_wdata;
  assign l_skip = nitro_lookup_pkg::in_subnet(r5_isrc_q, r5_l_subnet_q, r5_l_sublen_q);
  assign l_bad  = !l_skip && r5_l_nacl_q >= 8'(NUM_NACL);
  assign nacl_wdata = nitro_lookup_pkg::nacl_rule(flt_wr_data);

  logic [112:0] unused_nacl_rd;
  nitro_nacl #(.NUM_NACL(NUM_NACL), .RULES(NACL_RULES), .RULES_PER_STAGE(4), .IDX_W(NIDX_W)) u_nacl (
    .clk       (clk),
    .rst       (rst),
    .in_valid  (r5_v_q),
    .in_acl    (r5_l_nacl_q),
    .in_dir    (1'b0),
    .in_skip   (l_skip),
    .in_remote (r5_isrc_q),
    .in_proto  (r5_pkt_q[nitro_regs_pkg::CT_PKT_PROTO_LSB +: nitro_regs_pkg::CT_PKT_PROTO_WIDTH]),
    .in_p1     (r5_pkt_q[nitro_regs_pkg::CT_PKT_P1_LSB +: nitro_regs_pkg::CT_PKT_P1_WIDTH]),
    .in_p2     (r5_pkt_q[nitro_regs_pkg::CT_PKT_P2_LSB +: nitro_regs_pkg::CT_PKT_P2_WIDTH]),
    .out_valid (nl_valid),
    .out_allow (nl_allow),
    .wr_en     (nacl_wr),
    .wr_index  (flt_wr_index[NIDX_W-1:0]),
    .wr_data   (nacl_wdata),
    .rd_mode   (flt_rd_mode),
    .rd_index  (flt_rd_index[NIDX_W-1:0]),
    .rd_data   (unused_nacl_rd)
  );

  // ---------------------------------------------------------------- R5 .. RC: line up
  localparam int DW = 1 + 4 + 16 + 16 + 24 + 96 + 8 + 48 + nitro_regs_pkg::CT_PKT_WIDTH + 1 + 32 + 1;
  logic [DW-1:0] r5_rec, rc_rec;
  assign r5_rec = {r5_drop_q, r5_reason_q, r5_len_q, r5_ilen_q, r5_vni_q, r5_osrc_q, r5_isrc_q, r5_idst_q,
                   r5_slot_q, r5_mac_q, r5_pkt_q, r5_l_untracked_q, r5_l_sgb_q, r5_l_sgc_q, l_bad};
  nitro_delay #(.WIDTH(DW), .DEPTH(NA_LAT)) u_dly_rec (.clk (clk), .d (r5_rec), .q (rc_rec));

  logic [NA_LAT-1:0] rv_q;
  always_ff @(posedge clk) begin
    if (rst) rv_q <= '0;
    else     rv_q <= (rv_q << 1) | NA_LAT'(r5_v_q);
  end
  assign rc_v = rv_q[NA_LAT-1];

  logic         c_drop0, c_l_untracked, c_l_bad;
  logic [3:0]   c_reason0;
  logic [15:0]  c_len, c_ilen, c_sgb, c_sgc;
  logic [23:0]  c_vni;
  logic [31:0]  c_osrc, c_isrc, c_idst;
  logic [7:0]   c_slot;
  logic [47:0]  c_mac;
  logic [nitro_regs_pkg::CT_PKT_WIDTH-1:0] c_pkt;
  assign {c_drop0, c_reason0, c_len, c_ilen, c_vni, c_osrc, c_isrc, c_idst, c_slot, c_mac, c_pkt, c_l_untracked,
          c_sgb, c_sgc, c_l_bad} = rc_rec;

  // RX 12: L's ingress ACL; RX 13: the ingress security group op at L (nitro_conntrack)
  logic       c_drop, c_op0_v;
  logic [3:0] c_reason;
  always_comb begin
    c_drop   = c_drop0;
    c_reason = c_reason0;
    c_op0_v  = 1'b0;
    if (!c_drop0) begin
      if (!nl_allow || c_l_bad) begin
        c_drop   = 1'b1;
        c_reason = 4'(nitro_regs_pkg::DROP_NACL_DENY);
      end else begin
        c_op0_v  = 1'b1;
      end
    end
  end

  logic [7:0]  st_slot;
  logic [23:0] st_vni;
  logic [31:0] st_osrc, st_isrc, st_idst;
  assign st_slot = (c_reason == 4'(nitro_regs_pkg::DROP_SPOOFED_SOURCE) || c_reason == 4'(nitro_regs_pkg::DROP_NACL_DENY))
                   ? c_slot : 8'hFF;
  assign st_vni  = (c_len >= 16'd49) ? c_vni  : 24'h0;
  assign st_osrc = (c_len >= 16'd30) ? c_osrc : 32'h0;
  assign st_isrc = (c_len >= 16'd80) ? c_isrc : 32'h0;
  assign st_idst = (c_len >= 16'd84) ? c_idst : 32'h0;

  // The record: a ctRec holding an rxPay (its rxDec the editor's decision), the ctFlow fields (the delivered
  // (inner) length, an ingress ACL deny at the local slot) and one op, ingress at the receiver
  logic [nitro_regs_pkg::RX_DEC_WIDTH-1:0]  rec_dec;
  logic [nitro_regs_pkg::RX_PAY_WIDTH-1:0]  rec_pay;
  logic [nitro_regs_pkg::CT_FLOW_WIDTH-1:0] rec_flow;
  logic [nitro_regs_pkg::CT_OP_WIDTH-1:0]   rec_op0;
  always_comb begin
    rec_dec[nitro_regs_pkg::RX_DEC_DROP_LSB] = c_drop;
    rec_dec[nitro_regs_pkg::RX_DEC_SLOT_LSB +: nitro_regs_pkg::RX_DEC_SLOT_WIDTH]      = c_slot;
    rec_dec[nitro_regs_pkg::RX_DEC_INNER_LEN_LSB +: nitro_regs_pkg::RX_DEC_INNER_LEN_WIDTH] = c_ilen;
    rec_dec[nitro_regs_pkg::RX_DEC_MAC_LSB +: nitro_regs_pkg::RX_DEC_MAC_WIDTH]       = c_mac;
    rec_pay[nitro_regs_pkg::RX_PAY_DEC_LSB +: nitro_regs_pkg::RX_PAY_DEC_WIDTH]        = rec_dec;
    rec_pay[nitro_regs_pkg::RX_PAY_REASON_LSB +: nitro_regs_pkg::RX_PAY_REASON_WIDTH]     = c_reason;
    rec_pay[nitro_regs_pkg::RX_PAY_ALARM_SLOT_LSB +: nitro_regs_pkg::RX_PAY_ALARM_SLOT_WIDTH] = st_slot;
    rec_pay[nitro_regs_pkg::RX_PAY_VNI_LSB +: nitro_regs_pkg::RX_PAY_VNI_WIDTH]        = st_vni;
    rec_pay[nitro_regs_pkg::RX_PAY_OSRC_LSB +: nitro_regs_pkg::RX_PAY_OSRC_WIDTH]       = st_osrc;
    rec_pay[nitro_regs_pkg::RX_PAY_ISRC_LSB +: nitro_regs_pkg::RX_PAY_ISRC_WIDTH]       = st_isrc;
    rec_pay[nitro_regs_pkg::RX_PAY_IDST_LSB +: nitro_regs_pkg::RX_PAY_IDST_WIDTH]       = st_idst;
    rec_flow[nitro_regs_pkg::CT_FLOW_LEN_LSB +: nitro_regs_pkg::CT_FLOW_LEN_WIDTH]       = c_ilen;
    rec_flow[nitro_regs_pkg::CT_FLOW_NACL_DENY_LSB] = c_drop && c_reason == 4'(nitro_regs_pkg::DROP_NACL_DENY);
    rec_flow[nitro_regs_pkg::CT_FLOW_NACL_SLOT_LSB +: nitro_regs_pkg::CT_FLOW_NACL_SLOT_WIDTH] = c_slot;
    rec_op0[nitro_regs_pkg::CT_OP_SLOT_LSB +: nitro_regs_pkg::CT_OP_SLOT_WIDTH]       = c_slot;
    rec_op0[nitro_regs_pkg::CT_OP_INGRESS_LSB]   = 1'b1;
    rec_op0[nitro_regs_pkg::CT_OP_UNTRACKED_LSB] = c_l_untracked;
    rec_op0[nitro_regs_pkg::CT_OP_RULE_BASE_LSB +: nitro_regs_pkg::CT_OP_RULE_BASE_WIDTH]  = c_sgb;
    rec_op0[nitro_regs_pkg::CT_OP_RULE_COUNT_LSB +: nitro_regs_pkg::CT_OP_RULE_COUNT_WIDTH] = c_sgc;
    rec_data = '0;
    rec_data[nitro_regs_pkg::CT_REC_PAY_LSB +: nitro_regs_pkg::RX_PAY_WIDTH] = rec_pay;
    rec_data[nitro_regs_pkg::CT_REC_FLOW_LSB +: nitro_regs_pkg::CT_REC_FLOW_WIDTH]   = rec_flow;
    rec_data[nitro_regs_pkg::CT_REC_PKT_LSB +: nitro_regs_pkg::CT_REC_PKT_WIDTH]    = c_pkt;
    rec_data[nitro_regs_pkg::CT_REC_OP0_LSB +: nitro_regs_pkg::CT_REC_OP0_WIDTH]    = rec_op0;
    rec_data[nitro_regs_pkg::CT_REC_OP0_V_LSB]  = c_op0_v;
  end
  assign rec_wr = rc_v;

  logic unused_bits;
  assign unused_bits = ^{r1_hdr_q[95:0], r1_hdr_q[272 +: 16], r1_hdr_q[320 +: 16], r1_hdr_q[344 +: 24], r1_hdr_q[392 +: 104],
                         r1_hdr_q[560 +: 16], r1_hdr_q[592 +: 16], r1_hdr_q[672 +: 112],
                         d_mac, s_mac, d_uip, d_ip, d_vni, d_valid, s_ip, s_vni, s_slot, s_local, s_valid,
                         crc_d_c[31:L], crc_d_i[31:L], crc_s_c[31:L], crc_s_i[31:L], nl_valid,
                         flt_wr_index, flt_rd_index};

endmodule
