/**
 * Reference data shipped with the service. Countries come from the maintained
 * i18n-iso-countries package (see sync.ts), the HS nomenclature from data/hs/ (hs.ts); the rest is
 * small enough to keep here.
 */

/**
 * HS headings the demo data and generator draw from, with short demo names. The service's reference
 * nomenclature is the full HS 2022 in data/hs/ (src/db/reference/hs.ts): an imported item is flagged
 * `hs_heading` when its heading is not there (of these, 6908 "Ceramic tiles", deleted in HS 2017).
 */
export const HS_HEADINGS: ReadonlyArray<readonly [string, string]> = [
  ['0201', 'Meat of bovine animals, fresh or chilled'],
  ['0207', 'Meat and offal of poultry'],
  ['0402', 'Milk and cream, concentrated or sweetened'],
  ['0406', 'Cheese and curd'],
  ['0701', 'Potatoes, fresh or chilled'],
  ['0702', 'Tomatoes, fresh or chilled'],
  ['0802', 'Other nuts (hazelnuts, walnuts), fresh or dried'],
  ['0805', 'Citrus fruit'],
  ['0806', 'Grapes, fresh or dried'],
  ['0808', 'Apples, pears and quinces'],
  ['0810', 'Other fruit (persimmons, pomegranates)'],
  ['0902', 'Tea'],
  ['1001', 'Wheat and meslin'],
  ['1101', 'Wheat or meslin flour'],
  ['1512', 'Sunflower-seed, safflower or cotton-seed oil'],
  ['1701', 'Cane or beet sugar'],
  ['2009', 'Fruit juices'],
  ['2202', 'Waters with added sugar; other non-alcoholic beverages'],
  ['2204', 'Wine of fresh grapes'],
  ['2208', 'Spirits, liqueurs'],
  ['2402', 'Cigars, cigarettes'],
  ['2523', 'Portland cement'],
  ['2709', 'Petroleum oils, crude'],
  ['2710', 'Petroleum oils, not crude'],
  ['2711', 'Petroleum gases'],
  ['2804', 'Hydrogen, rare gases'],
  ['3004', 'Medicaments, in measured doses'],
  ['3105', 'Mineral or chemical fertilisers'],
  ['3208', 'Paints and varnishes'],
  ['3304', 'Beauty or make-up preparations'],
  ['3402', 'Washing and cleaning preparations'],
  ['3901', 'Polymers of ethylene'],
  ['3917', 'Tubes, pipes and hoses of plastics'],
  ['3923', 'Articles for the conveyance of goods, of plastics'],
  ['4011', 'New pneumatic tyres, of rubber'],
  ['4407', 'Wood sawn lengthwise'],
  ['4819', 'Cartons, boxes of paper'],
  ['5201', 'Cotton, not carded or combed'],
  ['5701', 'Carpets, knotted'],
  ['6109', 'T-shirts, knitted'],
  ['6203', "Men's suits, trousers"],
  ['6403', 'Footwear with uppers of leather'],
  ['6908', 'Ceramic tiles'],
  ['7005', 'Float glass'],
  ['7108', 'Gold, unwrought or semi-manufactured'],
  ['7208', 'Flat-rolled iron, hot-rolled'],
  ['7214', 'Bars and rods of iron'],
  ['7304', 'Tubes and pipes, seamless, of iron or steel'],
  ['7308', 'Structures of iron or steel'],
  ['7601', 'Unwrought aluminium'],
  ['8414', 'Air or vacuum pumps, compressors'],
  ['8418', 'Refrigerators, freezers'],
  ['8429', 'Bulldozers, graders, excavators'],
  ['8471', 'Automatic data-processing machines'],
  ['8481', 'Taps, cocks, valves'],
  ['8517', 'Telephone sets, smartphones'],
  ['8528', 'Monitors and projectors; television receivers'],
  ['8544', 'Insulated wire and cable'],
  ['8703', 'Motor cars'],
  ['8704', 'Motor vehicles for the transport of goods'],
  ['8708', 'Parts of motor vehicles'],
  ['9018', 'Medical instruments'],
  ['9403', 'Other furniture'],
];

/** Customs posts of the State Customs Committee used by the demo data. */
export const CUSTOMS_POSTS: ReadonlyArray<readonly [string, string, string]> = [
  ['10100', 'Bakı Baş Gömrük İdarəsi', 'Baku Main Customs Office'],
  ['10200', 'Heydər Əliyev Beynəlxalq Aeroportu gömrük postu', 'Heydar Aliyev International Airport customs post'],
  ['10300', 'Ələt Beynəlxalq Dəniz Ticarət Limanı gömrük postu', 'Alat International Sea Trade Port customs post'],
  ['20100', 'Sumqayıt gömrük postu', 'Sumgayit customs post'],
  ['30100', 'Gəncə gömrük postu', 'Ganja customs post'],
  ['30200', 'Qırmızı Körpü gömrük postu', 'Red Bridge customs post'],
  ['40100', 'Astara gömrük postu', 'Astara customs post'],
  ['40200', 'Biləsuvar gömrük postu', 'Bilasuvar customs post'],
  ['50100', 'Yalama gömrük postu', 'Yalama customs post'],
  ['60100', 'Sədərək gömrük postu', 'Sadarak customs post'],
];

/** Customs procedure codes (first two digits of the EU-style procedure code). */
export const CUSTOMS_PROCEDURES: ReadonlyArray<readonly [string, string]> = [
  ['10', 'Permanent export'],
  ['21', 'Temporary export'],
  ['23', 'Temporary export for return unaltered'],
  ['31', 'Re-export'],
  ['40', 'Release for free circulation'],
  ['51', 'Inward processing'],
  ['53', 'Temporary admission'],
  ['61', 'Re-import'],
  ['71', 'Customs warehousing'],
  ['78', 'Free zone'],
];

/** Mode of transport at the border. */
export const TRANSPORT_MODES: ReadonlyArray<readonly [string, string]> = [
  ['1', 'Sea transport'],
  ['2', 'Rail transport'],
  ['3', 'Road transport'],
  ['4', 'Air transport'],
  ['5', 'Postal consignment'],
  ['7', 'Fixed transport installations (pipelines, power lines)'],
  ['8', 'Inland waterway transport'],
  ['9', 'Own propulsion'],
];
