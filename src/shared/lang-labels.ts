/**
 * Display labels of the API's enum values and measure fields in the three languages, for clients' menus,
 * column headers and chart legends (the `labels` query). Keyed by GraphQL type name, then value or field
 * name; test/i18n/labels.spec.ts fails when a value of a labelled enum has no label here.
 */
import type { Language } from './lang';

type Labels = { readonly [value: string]: { readonly [L in Language]: string } };

export const LABELS: { readonly [typeName: string]: Labels } = {
  TradeDirection: {
    IMPORT: { AZ: 'İdxal', EN: 'Import', RU: 'Импорт' },
    EXPORT: { AZ: 'İxrac', EN: 'Export', RU: 'Экспорт' },
  },
  TradeDimension: {
    DIRECTION: { AZ: 'İstiqamət', EN: 'Direction', RU: 'Направление' },
    YEAR: { AZ: 'İl', EN: 'Year', RU: 'Год' },
    QUARTER: { AZ: 'Rüb', EN: 'Quarter', RU: 'Квартал' },
    MONTH: { AZ: 'Ay', EN: 'Month', RU: 'Месяц' },
    HS2: { AZ: 'HS fəsli (2 rəqəm)', EN: 'HS chapter (2 digits)', RU: 'Группа ГС (2 знака)' },
    HS4: { AZ: 'HS mövqeyi (4 rəqəm)', EN: 'HS heading (4 digits)', RU: 'Товарная позиция ГС (4 знака)' },
    HS6: { AZ: 'HS submövqeyi (6 rəqəm)', EN: 'HS subheading (6 digits)', RU: 'Субпозиция ГС (6 знаков)' },
    HS10: {
      AZ: 'Milli əmtəə kodu (10 rəqəm)',
      EN: 'National commodity code (10 digits)',
      RU: 'Национальный код товара (10 знаков)',
    },
    COUNTRY: { AZ: 'Tərəfdaş ölkə', EN: 'Partner country', RU: 'Страна-партнёр' },
    CUSTOMS_POST: { AZ: 'Gömrük postu', EN: 'Customs post', RU: 'Таможенный пост' },
    PROCEDURE: { AZ: 'Gömrük proseduru', EN: 'Customs procedure', RU: 'Таможенная процедура' },
    TRANSPORT_MODE: { AZ: 'Nəqliyyat növü', EN: 'Mode of transport', RU: 'Вид транспорта' },
  },
  Language: {
    AZ: { AZ: 'Azərbaycan dili', EN: 'Azerbaijani', RU: 'Азербайджанский' },
    EN: { AZ: 'İngilis dili', EN: 'English', RU: 'Английский' },
    RU: { AZ: 'Rus dili', EN: 'Russian', RU: 'Русский' },
  },
  TradeMeasures: {
    declarationCount: { AZ: 'Bəyannamələrin sayı', EN: 'Declarations', RU: 'Число деклараций' },
    itemCount: { AZ: 'Malların sayı', EN: 'Items', RU: 'Число товаров' },
    customsValueAzn: { AZ: 'Gömrük dəyəri, AZN', EN: 'Customs value, AZN', RU: 'Таможенная стоимость, AZN' },
    statisticalValueUsd: {
      AZ: 'Statistik dəyər, USD',
      EN: 'Statistical value, USD',
      RU: 'Статистическая стоимость, USD',
    },
    netWeightKg: { AZ: 'Xalis çəki, kq', EN: 'Net weight, kg', RU: 'Вес нетто, кг' },
    grossWeightKg: { AZ: 'Ümumi çəki, kq', EN: 'Gross weight, kg', RU: 'Вес брутто, кг' },
    supplementaryQuantity: {
      AZ: 'Əlavə ölçü vahidində miqdar',
      EN: 'Supplementary quantity',
      RU: 'Количество в доп. единице',
    },
    supplementaryUnit: { AZ: 'Əlavə ölçü vahidi', EN: 'Supplementary unit', RU: 'Дополнительная единица' },
  },
};
