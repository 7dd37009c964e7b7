import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsString, Length, MaxLength, MinLength } from 'class-validator';

export class CreateStaffDto {
  @ApiProperty({ example: 'anna@beratung.example' })
  @IsString()
  @Length(3, 254)
  email!: string;

  @ApiProperty({ example: 'Anna', description: 'The name clients and colleagues see (1–120 characters)' })
  @IsString()
  @Length(1, 120)
  displayName!: string;

  @ApiProperty({ enum: ['counselor', 'admin'] })
  @IsIn(['counselor', 'admin'])
  role!: 'counselor' | 'admin';
}

export class AcceptInvitationDto {
  @ApiProperty({ example: 'demo' })
  @IsString()
  @Length(1, 64)
  center!: string;

  @ApiProperty({ description: 'The token from the invitation link (#token=…)' })
  @IsString()
  @MinLength(20)
  @MaxLength(100)
  token!: string;

  @ApiProperty({ description: '8 characters to 72 bytes, not a common password' })
  @IsString()
  @Length(1, 1024)
  password!: string;
}
