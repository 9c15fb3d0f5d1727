// tb_nitro_csr: the card's plain registers against a reference written from docs/registers.md
// (offsets, access, reset values, fields), at non-default build parameters so every PARAM_*
// field is checked against the parameter it reports. Random bus traffic, one access a cycle:
// writes and reads of every register of the block, of read-only registers (writes ignored), of
// other blocks' addresses (read 0 here) and unaligned ones; csr_rd checked every cycle for the
// address on the bus, every register output checked every cycle. TIME_LO / TIME_HI (the time
// base loads with the TIME_HI write), CYCLE_LO / CYCLE_HI (cycles since reset; reading CYCLE_LO
// latches the high word, checked across a 2^32 boundary by loading the counter), the alarm
// window over a random head alarm, count and overflow (ALARM_DATA reads 0 with no alarm),
// ALARM_POP, CT_FREE, FLOW_INTERVAL / FLOW_SET (the interval write strobe with its slot),
// FLOW_OVERFLOWS, PARAM_FLOW, and resets in the middle of the traffic.
`timescale 1ns/1ps
module tb_nitro_csr;

  tb_verdict #(.TIMEOUT(10000000)) verdict ();   // PASS / FAIL verdict and watchdog (hw/tb/common)

  // Build parameters (none at its default)
  localparam int NUM_ENI = 24, MAP_LOG2 = 11, SLOTS_LOG2 = 1, IP_MTU = 1500, NUM_EDGE = 5, BATCH = 48,
                 CNT_W = 6, LEVELS = 7, NUM_NACL = 9, NACL_RULES = 13, SG_LOG2 = 10, CT_LOG2 = 11, CT_WAYS = 3, FLOW_LOG2 = 5;

  logic clk = 0, rst = 1;
  always #1 clk = ~clk;

  logic             csr_valid = 0, csr_write = 0;
  logic [15:0]      csr_addr = 0;
  logic [31:0]      csr_wdata = 0, csr_rd;
  logic [31:0]      underlay_ip, alarm_mask, ct_free = 0, alarm_overflow = 0, flow_overflows = 0, ivl_wr_data;
  logic             ivl_wr_en;
  logic [7:0]       ivl_wr_slot;
  logic [47:0]      underlay_mac, nexthop_mac, gateway_mac;
  logic [63:0]      time_base, cycle;
  logic [199:0]     alarm_head = 0;
  logic [CNT_W-1:0] alarm_count = 0;
  logic             alarm_pop;

  nitro_csr #(.NUM_ENI(NUM_ENI), .MAP_WAY_DEPTH_LOG2(MAP_LOG2), .MAP_BUCKET_SLOTS_LOG2(SLOTS_LOG2), .IP_MTU(IP_MTU),
              .NUM_EDGE(NUM_EDGE), .BATCH_DEPTH(BATCH), .ALARM_CNT_W(CNT_W), .ROUTE_LEVELS(LEVELS),
              .NUM_NACL(NUM_NACL), .NACL_RULES(NACL_RULES), .SG_RULES_LOG2(SG_LOG2), .CT_BUCKETS_LOG2(CT_LOG2),
              .CT_WAYS(CT_WAYS), .FLOW_LOG2(FLOW_LOG2)) dut (
    .clk(clk), .rst(rst), .csr_valid(csr_valid), .csr_write(csr_write), .csr_addr(csr_addr), .csr_wdata(csr_wdata),
    .csr_rd(csr_rd), .underlay_ip(underlay_ip), .underlay_mac(underlay_mac), .nexthop_mac(nexthop_mac),
    .gateway_mac(gateway_mac), .alarm_mask(alarm_mask), .time_base(time_base), .cycle(cycle), .ct_free(ct_free),
    .flow_overflows(flow_overflows), .ivl_wr_en(ivl_wr_en), .ivl_wr_slot(ivl_wr_slot), .ivl_wr_data(ivl_wr_data),
    .alarm_head(alarm_head), .alarm_count(alarm_count), .alarm_overflow(alarm_overflow), .alarm_pop(alarm_pop));


  // ------------------------------------------------------------------ reference (docs/registers.md)
  // The rw registers of this block by offset, with their reset values
  localparam logic [15:0] ID = 16'h0000, VERSION = 16'h0004, PARAM_ENI = 16'h0008, PARAM_MAP = 16'h000C,
    PARAM_MISC = 16'h0010, SCRATCH = 16'h0014, PARAM_FILTER = 16'h0018, PARAM_CONNTRACK = 16'h001C,
    UIP = 16'h0020, UMAC_LO = 16'h0024, UMAC_HI = 16'h0028, NMAC_LO = 16'h002C, NMAC_HI = 16'h0030,
    GMAC_LO = 16'h0034, GMAC_HI = 16'h0038, ALARM_MASK = 16'h003C, TIME_LO = 16'h0040, TIME_HI = 16'h0044,
    CYCLE_LO = 16'h0048, CYCLE_HI = 16'h004C, CT_FREE = 16'h0054, FLOW_INTERVAL = 16'h006C, FLOW_SET = 16'h0070,
    FLOW_OVERFLOWS = 16'h0074, PARAM_FLOW = 16'h0078, ALARM_STATUS = 16'h0180,
    ALARM_OVERFLOW = 16'h0184, ALARM_POP = 16'h0188, ALARM_DATA = 16'h01A0;

  logic [31:0] r_scratch, r_uip, r_umac_lo, r_nmac_lo, r_gmac_lo, r_mask, r_time_lo, r_flow_ivl;
  logic [15:0] r_umac_hi, r_nmac_hi, r_gmac_hi;
  logic [63:0] r_time, r_cycle;
  logic [31:0] r_cycle_hi;

  task automatic ref_reset();
    r_scratch = 0; r_uip = 0; r_umac_lo = 0; r_umac_hi = 0; r_nmac_lo = 0; r_nmac_hi = 0;
    r_gmac_lo = 0; r_gmac_hi = 0; r_mask = 32'hFFFF_FFFF; r_time_lo = 0; r_time = 0; r_flow_ivl = 0;
    r_cycle = 0; r_cycle_hi = 0;
  endtask

  // What a read of `a` returns now
  function automatic logic [31:0] ref_read(input logic [15:0] a);
    logic [63:0]  acyc;
    logic [7:0]   reason, slot;
    logic [23:0]  vni;
    logic [31:0]  osrc, isrc, idst;
    bit           have;
    {acyc, reason, slot, vni, osrc, isrc, idst} = alarm_head;
    have = alarm_count != 0;
    unique case (a)
      ID:              ref_read = 32'h4E495452;   // 'NITR'
      VERSION:         ref_read = 32'h00010000;
      PARAM_ENI:       ref_read = 32'(NUM_ENI);
      PARAM_MAP:       ref_read = (32'(SLOTS_LOG2) << 16) | (32'd2 << 8) | 32'(MAP_LOG2);
      PARAM_MISC:      ref_read = (32'(BATCH) << 24) | (32'(NUM_EDGE) << 16) | 32'(IP_MTU);
      PARAM_FILTER:    ref_read = (32'(SG_LOG2) << 24) | (32'(NACL_RULES) << 16) | (32'(NUM_NACL) << 8) | 32'(LEVELS);
      PARAM_CONNTRACK: ref_read = (32'(CT_WAYS) << 8) | 32'(CT_LOG2);
      SCRATCH:         ref_read = r_scratch;
      UIP:             ref_read = r_uip;
      UMAC_LO:         ref_read = r_umac_lo;
      UMAC_HI:         ref_read = {16'h0, r_umac_hi};
      NMAC_LO:         ref_read = r_nmac_lo;
      NMAC_HI:         ref_read = {16'h0, r_nmac_hi};
      GMAC_LO:         ref_read = r_gmac_lo;
      GMAC_HI:         ref_read = {16'h0, r_gmac_hi};
      ALARM_MASK:      ref_read = r_mask;
      TIME_LO:         ref_read = r_time_lo;
      TIME_HI:         ref_read = r_time[63:32];
      CYCLE_LO:        ref_read = r_cycle[31:0];
      CYCLE_HI:        ref_read = r_cycle_hi;
      CT_FREE:         ref_read = ct_free;
      FLOW_INTERVAL:   ref_read = r_flow_ivl;
      FLOW_OVERFLOWS:  ref_read = flow_overflows;
      PARAM_FLOW:      ref_read = 32'((2 ** FLOW_LOG2) + 1);
      ALARM_STATUS:    ref_read = 32'(alarm_count);
      ALARM_OVERFLOW:  ref_read = alarm_overflow;
      ALARM_DATA:      ref_read = have ? acyc[31:0] : 0;
      ALARM_DATA + 4:  ref_read = have ? acyc[63:32] : 0;
      ALARM_DATA + 8:  ref_read = have ? {1'b1, 15'h0, slot, reason} : 0;
      ALARM_DATA + 12: ref_read = have ? {8'h0, vni} : 0;
      ALARM_DATA + 16: ref_read = have ? osrc : 0;
      ALARM_DATA + 20: ref_read = have ? isrc : 0;
      ALARM_DATA + 24: ref_read = have ? idst : 0;
      default:         ref_read = 0;             // ALARM_DATA7 reserved, write-only, other blocks
    endcase
  endfunction

  // The clock edge: the access on the bus takes effect, the cycle counter counts
  task automatic ref_edge();
    if (csr_valid && csr_write) begin
      unique case (csr_addr)
        SCRATCH:    r_scratch = csr_wdata;
        UIP:        r_uip = csr_wdata;
        UMAC_LO:    r_umac_lo = csr_wdata;
        UMAC_HI:    r_umac_hi = csr_wdata[15:0];
        NMAC_LO:    r_nmac_lo = csr_wdata;
        NMAC_HI:    r_nmac_hi = csr_wdata[15:0];
        GMAC_LO:    r_gmac_lo = csr_wdata;
        GMAC_HI:    r_gmac_hi = csr_wdata[15:0];
        ALARM_MASK: r_mask = csr_wdata;
        FLOW_INTERVAL: r_flow_ivl = csr_wdata;
        TIME_LO:    r_time_lo = csr_wdata;
        TIME_HI:    r_time = {csr_wdata, r_time_lo};
        default: ;
      endcase
    end
    if (csr_valid && !csr_write && csr_addr == CYCLE_LO) r_cycle_hi = r_cycle[63:32];
    r_cycle = r_cycle + 1;
  endtask

  // Addresses the traffic draws from: every register of the block, neighbours of other blocks
  // (COUNTER_CLEAR, TBL_*, DROP_COUNT, ENI_COUNT), reserved and unaligned offsets
  logic [15:0] addrs [$] = '{ID, VERSION, PARAM_ENI, PARAM_MAP, PARAM_MISC, SCRATCH, PARAM_FILTER, PARAM_CONNTRACK,
    UIP, UMAC_LO, UMAC_HI, NMAC_LO, NMAC_HI, GMAC_LO, GMAC_HI, ALARM_MASK, TIME_LO, TIME_HI, CYCLE_LO, CYCLE_HI,
    CT_FREE, FLOW_INTERVAL, FLOW_SET, FLOW_OVERFLOWS, PARAM_FLOW, ALARM_STATUS, ALARM_OVERFLOW, ALARM_POP, ALARM_DATA, ALARM_DATA + 4, ALARM_DATA + 8, ALARM_DATA + 12,
    ALARM_DATA + 16, ALARM_DATA + 20, ALARM_DATA + 24, ALARM_DATA + 28, 16'h0050, 16'h0100, 16'h0124, 16'h0128,
    16'h0200, 16'h1000, 16'h0058, 16'h0015, 16'h0022, 16'h01BC, 16'hFFFC};

  int pops = 0, exp_pops = 0, reads = 0, writes = 0;

  // One cycle: drive at the falling edge, check the combinational read and the outputs, then the edge
  task automatic cycle_with(input bit v, input bit w, input logic [15:0] a, input logic [31:0] d);
    @(negedge clk);
    csr_valid = v; csr_write = w; csr_addr = a; csr_wdata = d;
    if ($urandom % 8 == 0) begin
      alarm_head  = {$urandom, $urandom, $urandom, $urandom, $urandom, $urandom, $urandom};
      alarm_count = CNT_W'(($urandom % 3 == 0) ? 0 : $urandom);
      alarm_overflow = ($urandom % 2) ? 0 : $urandom;
      ct_free = $urandom;
      flow_overflows = $urandom;
    end
    #0.5;
    if (!rst) begin
      verdict.check(csr_rd == ref_read(a), $sformatf("read %h: %h, expected %h", a, csr_rd, ref_read(a)));
      verdict.check(underlay_ip == r_uip, "underlay_ip");
      verdict.check(underlay_mac == {r_umac_hi, r_umac_lo}, $sformatf("underlay_mac %h", underlay_mac));
      verdict.check(nexthop_mac == {r_nmac_hi, r_nmac_lo}, "nexthop_mac");
      verdict.check(gateway_mac == {r_gmac_hi, r_gmac_lo}, "gateway_mac");
      verdict.check(alarm_mask == r_mask, "alarm_mask");
      verdict.check(time_base == r_time, $sformatf("time_base %h, expected %h", time_base, r_time));
      verdict.check(cycle == r_cycle, $sformatf("cycle %0d, expected %0d", cycle, r_cycle));
      verdict.check(alarm_pop == (v && w && a == ALARM_POP), "alarm_pop");
      // FLOW_SET writes FLOW_INTERVAL into slot SLOT, in the cycle of the write
      verdict.check(ivl_wr_en == (v && w && a == FLOW_SET) && (!ivl_wr_en || (ivl_wr_slot == d[7:0] && ivl_wr_data == r_flow_ivl)),
            $sformatf("FLOW_SET: en %0d slot %0d interval %0d", ivl_wr_en, ivl_wr_slot, ivl_wr_data));
      exp_pops += int'(v && w && a == ALARM_POP);
      pops += int'(alarm_pop);
      reads += int'(v && !w);
      writes += int'(v && w);
    end
    @(posedge clk);
    if (!rst) ref_edge();
  endtask

  task automatic random_traffic(input int n);
    for (int i = 0; i < n; i++) begin
      logic [15:0] a;
      a = addrs[$urandom % addrs.size()];
      cycle_with($urandom % 4 != 0, $urandom % 2 == 0, a, ($urandom % 4 == 0) ? 32'hFFFF_FFFF : $urandom);
    end
  endtask

  task automatic do_reset(input int cycles);
    @(negedge clk); rst = 1; csr_valid = 0;
    repeat (cycles) @(posedge clk);
    @(negedge clk); rst = 0;
    ref_reset();
    @(posedge clk); ref_edge();             // the first cycle out of reset, bus idle
  endtask

  initial begin
    ref_reset();
    repeat (3) @(posedge clk);
    do_reset(1);
    // Reset values first, every register read once
    foreach (addrs[i]) cycle_with(1, 0, addrs[i], 0);
    random_traffic(20000);
    // TIME: TIME_LO alone does not move the time base; TIME_HI loads both
    cycle_with(1, 1, TIME_LO, 32'h89AB_CDEF);
    verdict.check(time_base == r_time && r_time != 64'h0123_4567_89AB_CDEF, "TIME_LO moved the time base");
    cycle_with(1, 1, TIME_HI, 32'h0123_4567);
    cycle_with(1, 0, TIME_HI, 0);
    verdict.check(time_base == 64'h0123_4567_89AB_CDEF, $sformatf("time base %h after TIME_LO, TIME_HI", time_base));
    // CYCLE_HI across 2^32: load the counter just below the boundary (as ~2^32 cycles would)
    @(negedge clk);
    csr_valid   = 0;
    dut.cycle_q = 64'h0000_0002_FFFF_FFF0;
    r_cycle     = 64'h0000_0002_FFFF_FFF0;
    @(posedge clk); ref_edge();
    cycle_with(1, 0, CYCLE_LO, 0);          // latches 2
    verdict.check(r_cycle_hi == 2, "latch");
    repeat (20) cycle_with(1, 0, CYCLE_HI, 0);   // still 2 past the boundary until the next CYCLE_LO read
    cycle_with(1, 0, CYCLE_LO, 0);
    cycle_with(1, 0, CYCLE_HI, 0);          // 3
    verdict.check(r_cycle_hi == 3, "latch after the boundary");
    random_traffic(5000);
    // A reset in the middle of the traffic (1 and 4 cycles) brings back the reset values
    do_reset(1);
    foreach (addrs[i]) cycle_with(1, 0, addrs[i], 0);
    random_traffic(5000);
    do_reset(4);
    foreach (addrs[i]) cycle_with(1, 0, addrs[i], 0);
    random_traffic(5000);
    verdict.check(pops == exp_pops && pops > 100, $sformatf("%0d pops, expected %0d", pops, exp_pops));
    $display("%0d reads, %0d writes, %0d pops", reads, writes, pops);
    verdict.finish(0);
  end

endmodule
